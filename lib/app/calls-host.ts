/**
 * The service worker's side of calls (reference/mobius-calls.md §7.3): it keeps the offscreen
 * document that owns Mercury, the calls and their media alive exactly while the line is
 * registered (recreating it whenever it finds none), answers the document's requests (the line,
 * a token), relays the user's commands to it, and turns the document's view into the popup's
 * status, the badge and notifications. Browser APIs arrive as ports.
 */

import type { CallNotifier, OffscreenPort } from '../call/host-ports';
import {
  type CallCommand,
  type CallingView,
  callsInProgress,
  type LineForCalls,
  lineKey,
  NO_CALLING,
  OFFSCREEN_PATH,
  OFFSCREEN_REQUESTS,
  type OffscreenRequestType,
} from '../messaging/calls';
import type { Response, StatusSnapshot } from '../messaging/protocol';
import type { SenderInfo } from '../messaging/senders';
import type { Clock, Store } from '../ports';

export type { CallNotifier, OffscreenPort } from '../call/host-ports';

export interface CallsHostDeps {
  store: Store;
  clock: Clock;
  /** null: this browser has no offscreen documents (Firefox) and cannot hold calls. */
  offscreen: OffscreenPort | null;
  lineForCalls(): Promise<{ ok: true; line: LineForCalls } | { ok: false; why: string }>;
  authorization(rejected?: string): Promise<string | null>;
  notifier: CallNotifier;
  /** The view changed: repaint the popup, badge. */
  changed(): void;
  /**
   * The last call ended (the view went from some calls to none; SDK `all_calls_cleared`): a
   * re-registration of the line that waited for it may run. Called after the view is stored.
   */
  callsCleared?(): void;
  log(message: string, data?: Record<string, unknown>): void;
}

export const CALLS_VIEW_KEY = 'calls:view';

/** Registered (or keeping a registration through keepalive failures): the line can ring. */
export const wantsDocument = (snapshot: Pick<StatusSnapshot, 'state' | 'auth'>): boolean =>
  snapshot.auth === 'signedIn' &&
  (snapshot.state === 'active' || snapshot.state === 'reconnecting');

type LineSnapshot = Pick<StatusSnapshot, 'state' | 'auth' | 'line' | 'server'>;

export interface CallsHost {
  /** The view to show (the document's last report, or what is known without it). */
  view(): Promise<CallingView>;
  /** Create or close the document to match the line (every status change and worker wake). */
  sync(snapshot: LineSnapshot): Promise<void>;
  command(command: CallCommand): Promise<CallingView>;
  /** Answer a runtime message if it is the document's; undefined for anything else. */
  route(message: unknown, sender: SenderInfo): Promise<Response<unknown>> | undefined;
}

export function createCallsHost(
  deps: CallsHostDeps,
  ids: { extensionId: string; extensionOrigin: string },
): CallsHost {
  let cached: CallingView | null = null;
  let syncing: Promise<void> = Promise.resolve();
  /** The line key the document was last told (this worker's life; a wake tells it once more). */
  let told: string | null = null;

  async function view(): Promise<CallingView> {
    if (!deps.offscreen) return { ...NO_CALLING, ring: 'unsupported' };
    cached ??= (await deps.store.get<CallingView>(CALLS_VIEW_KEY)) ?? NO_CALLING;
    return cached;
  }

  async function save(next: CallingView): Promise<void> {
    const previous = await view();
    cached = next;
    await deps.store.set(CALLS_VIEW_KEY, next);
    await notifyChanges(previous, next);
    deps.changed();
    if (callsInProgress(previous) && !callsInProgress(next)) deps.callsCleared?.();
  }

  async function notifyChanges(previous: CallingView, next: CallingView): Promise<void> {
    const before = new Map(previous.calls.map((call) => [call.key, call]));
    const now = new Set(next.calls.map((call) => call.key));
    for (const call of next.calls) {
      if (call.state === 'ringing' && before.get(call.key)?.state !== 'ringing')
        await deps.notifier.ringing(call);
      if (call.state !== 'ringing' && before.get(call.key)?.state === 'ringing')
        await deps.notifier.clear(call.key);
    }
    for (const key of before.keys()) if (!now.has(key)) await deps.notifier.clear(key);
    const ended = next.lastEnded;
    if (ended?.missed && ended.key !== previous.lastEnded?.key) await deps.notifier.missed(ended);
  }

  async function reconcile(snapshot: LineSnapshot): Promise<void> {
    const offscreen = deps.offscreen;
    if (!offscreen) return;
    const wanted = wantsDocument(snapshot);
    const key = lineKey(snapshot);
    const exists = await offscreen.exists();
    const tell = () => {
      told = key;
      return offscreen.send({ target: 'offscreen', kind: 'lineChanged', key }).catch(() => {
        told = null;
      });
    };
    if (wanted && !exists) {
      deps.log('Opening the calls document');
      told = null; // a new document reads the line itself
      await offscreen.create();
    } else if (wanted) {
      if (key !== told) await tell();
    } else if (exists) {
      deps.log('Closing the calls document');
      await tell(); // its calls end with a request while the token still works
      await offscreen.close();
      told = null;
    }
    if (wanted) return;
    const current = await view();
    if (current.ring !== 'off')
      await save({ ...NO_CALLING, lastEnded: current.lastEnded, at: deps.clock.now() });
  }

  const fromDocument = (sender: SenderInfo): boolean =>
    sender.id === ids.extensionId &&
    sender.tabId === undefined &&
    sender.url === `${ids.extensionOrigin}${OFFSCREEN_PATH}`;

  async function answer(type: OffscreenRequestType, payload: unknown): Promise<unknown> {
    switch (type) {
      case 'offscreen/line': {
        const line = await deps.lineForCalls();
        if (!line.ok) deps.log('No line for calls', { why: line.why });
        return line.ok ? line.line : null;
      }
      case 'offscreen/token': {
        const rejected = (payload as { rejected?: unknown } | undefined)?.rejected;
        const authorization = await deps.authorization(
          typeof rejected === 'string' ? rejected : undefined,
        );
        if (!authorization) throw new Error('Not signed in.');
        return { authorization };
      }
      case 'offscreen/update': {
        const next = (payload as { view?: unknown } | undefined)?.view;
        if (!isView(next)) throw new Error('Not a calling view.');
        await save(next);
        return {};
      }
    }
  }

  return {
    view,
    sync(snapshot) {
      // One reconciliation at a time: two status changes in a row must not create twice.
      syncing = syncing
        .then(() => reconcile(snapshot))
        .catch((error: unknown) =>
          deps.log('Calls document not in step', { error: String(error) }),
        );
      return syncing;
    },
    async command(command) {
      const offscreen = deps.offscreen;
      if (!offscreen) throw new Error('This browser cannot hold calls.');
      if (!(await offscreen.exists())) throw new Error('No call is in progress here.');
      const answered = await offscreen.send({ target: 'offscreen', kind: 'command', command });
      if (isView(answered)) {
        await save(answered);
        return answered;
      }
      return view();
    },
    route(message, sender) {
      if (typeof message !== 'object' || message === null) return undefined;
      const { type, payload } = message as { type?: unknown; payload?: unknown };
      if (!OFFSCREEN_REQUESTS.includes(type as OffscreenRequestType)) return undefined;
      if (!fromDocument(sender)) return undefined;
      return answer(type as OffscreenRequestType, payload).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({
          ok: false as const,
          error: {
            code: 'failed',
            message: error instanceof Error ? error.message : String(error),
          },
        }),
      );
    },
  };
}

/** Enough of a shape check that a bad report cannot break the popup. */
function isView(value: unknown): value is CallingView {
  if (typeof value !== 'object' || value === null) return false;
  const view = value as Partial<CallingView>;
  return (
    typeof view.ring === 'string' &&
    typeof view.mic === 'string' &&
    Array.isArray(view.calls) &&
    view.calls.every((call) => typeof call?.key === 'string' && typeof call.state === 'string') &&
    typeof view.at === 'number'
  );
}
