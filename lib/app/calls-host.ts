/**
 * The service worker's side of calls (reference/mobius-calls.md §7.3): it keeps the offscreen
 * document that owns Mercury, the calls and their media alive exactly while the line is
 * registered (recreating it whenever it finds none), answers the document's requests (the line,
 * a token), relays the user's commands to it, and turns the document's view into the popup's
 * status, the badge and notifications. Browser APIs arrive as ports.
 */

import type { CallNotifier, OffscreenPort } from '../call/host-ports';
import { sendAuthorized } from '../call/requests';
import type { CallPreferences } from '../call-preferences';
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
import type { Clock, Fetch, Random, Store } from '../ports';
import { cutOffCall, isCallingView } from './calling-views';
import { createOrphanBook } from './orphan-calls';

export type { CallNotifier, OffscreenPort } from '../call/host-ports';

export interface CallsHostDeps {
  store: Store;
  clock: Clock;
  /** null: this browser has no offscreen documents (Firefox) and cannot hold calls. */
  offscreen: OffscreenPort | null;
  lineForCalls(): Promise<{ ok: true; line: LineForCalls } | { ok: false; why: string }>;
  /**
   * The user's call preferences, part of what the document is told has changed: a saved
   * preference reaches a running document (which keeps Mercury and its calls).
   */
  callPreferences?(): Promise<CallPreferences>;
  authorization(rejected?: string): Promise<string | null>;
  /** For the calls a lost document left behind, ended from the worker (`endOrphansNow`). */
  fetch: Fetch;
  random: Random;
  notifier: CallNotifier;
  /** The view changed: repaint the popup, badge. */
  changed(): void;
  /**
   * The last call ended (the view went from some calls to none; SDK `all_calls_cleared`): a
   * re-registration of the line that waited for it may run. Called after the view is stored.
   */
  callsCleared?(): void;
  /** The document saw the wall clock jump: the line re-derives its timers (a reconcile). */
  wallClockJumped?(): void;
  log(message: string, data?: Record<string, unknown>): void;
}

export const CALLS_VIEW_KEY = 'calls:view';
export { HELD_CALLS_KEY, ORPHAN_CALLS_KEY } from './orphan-calls';

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
  /**
   * With no document, end at Mobius the calls the last one held (a crash ends the whole
   * extension in Chrome; the browser quit): at start-up, before the line's own start-up deletes
   * or replaces the device those calls are on.
   */
  endOrphansNow(): Promise<void>;
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
  const orphans = createOrphanBook(deps.store);

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
    const key = lineKey(snapshot, await deps.callPreferences?.());
    const exists = await offscreen.exists();
    const tell = () => {
      told = key;
      return offscreen.send({ target: 'offscreen', kind: 'lineChanged', key }).catch(() => {
        told = null;
      });
    };
    // No document (closed, crashed, the browser or the extension restarted): the calls it held
    // are orphans, whether or not the line is wanted now; the worker ends them before a new
    // document opens (what it cannot end, that document tries again).
    if (!exists) await endLeftBehind();
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
      await orphans.clearHeld(); // ended by the document just now
    }
    if (wanted) return;
    const current = await view();
    if (current.ring !== 'off')
      await save({ ...NO_CALLING, lastEnded: current.lastEnded, at: deps.clock.now() });
  }

  /**
   * The document is gone while the line is registered: it was closed or crashed, or the browser
   * quit. The calls it held become orphans for the next document to end at Mobius, and the view
   * stops showing them (no ghost calls) and says the line cannot ring until the new one is up.
   */
  async function adoptOrphans(): Promise<void> {
    const before = await view();
    const adopted = await orphans.adopt();
    if (adopted === 0 && before.ring === 'off') return;
    deps.log('The calls document was lost', { calls: adopted });
    const cut = cutOffCall(before.calls, deps.clock.now());
    await save({
      ...NO_CALLING,
      ring: 'connecting',
      mic: before.mic,
      lastEnded: cut ?? before.lastEnded,
      detail: 'The calls document closed; starting it again',
      at: deps.clock.now(),
    });
  }

  /** Adopt what a lost document held, and end it at Mobius from here. */
  async function endLeftBehind(): Promise<void> {
    await adoptOrphans();
    const { fetch, random, authorization } = deps;
    const done = await orphans.endNow((target, spec) =>
      sendAuthorized({ fetch, random, token: authorization }, target, spec),
    );
    if (done > 0) deps.log('Calls of a lost document ended', { calls: done });
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
        if (!line.ok) return null;
        const left = await orphans.orphans();
        return left.length ? { ...line.line, orphans: left } : line.line;
      }
      case 'offscreen/orphansEnded': {
        const keys = (payload as { keys?: unknown } | undefined)?.keys;
        if (!Array.isArray(keys)) throw new Error('Not a list of call keys.');
        await orphans.ended(keys);
        return {};
      }
      case 'offscreen/token': {
        const rejected = (payload as { rejected?: unknown } | undefined)?.rejected;
        const authorization = await deps.authorization(
          typeof rejected === 'string' ? rejected : undefined,
        );
        if (!authorization) throw new Error('Not signed in.');
        return { authorization };
      }
      case 'offscreen/clockJumped': {
        const jumpMs = (payload as { jumpMs?: unknown } | undefined)?.jumpMs;
        if (typeof jumpMs !== 'number' || !Number.isFinite(jumpMs)) throw new Error('Not a jump.');
        deps.log('The wall clock jumped; reconciling the line', { jumpMs });
        deps.wallClockJumped?.();
        return {};
      }
      case 'offscreen/update': {
        const { view: next, held } = (payload ?? {}) as { view?: unknown; held?: unknown };
        if (!isCallingView(next)) throw new Error('Not a calling view.');
        if (held !== undefined) await orphans.keepHeld(held);
        // A new document knows no earlier call: the last one ended stays the last one.
        await save({ ...next, lastEnded: next.lastEnded ?? (await view()).lastEnded });
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
    async endOrphansNow() {
      // Most starts have no call to end: the line's start-up must not wait behind the queue.
      if (!deps.offscreen || !(await orphans.any())) return;
      // In the one queue with sync: never beside a reconciliation ending the same calls.
      syncing = syncing
        .then(async () => {
          if (deps.offscreen && !(await deps.offscreen.exists())) await endLeftBehind();
        })
        .catch((error: unknown) =>
          deps.log('Calls left behind not ended', { error: String(error) }),
        );
      return syncing;
    },
    async command(command) {
      const offscreen = deps.offscreen;
      if (!offscreen) throw new Error('This browser cannot hold calls.');
      if (!(await offscreen.exists())) throw new Error('No call is in progress here.');
      const answered = await offscreen.send({ target: 'offscreen', kind: 'command', command });
      if (isCallingView(answered)) {
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
