import { CALL_TIMING_OVERRIDES } from '../call/timing';
import { DEFAULT_TIMING } from '../line/timing';
import { type CallCommand, type CallingView, parseCallCommand } from '../messaging/calls';
import {
  CONTENT_SCRIPT_REQUESTS,
  type DeviceView,
  type PageCallDetails,
  type PageStatus,
  type RequestMap,
  type RequestType,
  type Response,
  type SettingsView,
  type StatusSnapshot,
} from '../messaging/protocol';
import { classifySender, pageOf, type SenderInfo } from '../messaging/senders';
import { normalizeOrigin, type Settings, sameIdentity } from '../settings';
import type { Diagnostics } from './diagnostics';
import { PageCallRefusal } from './page-calls';
import type { SettingsStore } from './settings-store';

export type { SenderInfo } from '../messaging/senders';

/** The line service operations the router exposes. */
export interface LineOperations {
  snapshot(): Promise<StatusSnapshot>;
  /** How sign-in ended: a closed window or a declined consent is calm, not an error. */
  signInWithOutcome(): Promise<{
    outcome: 'signedIn' | 'cancelled' | 'declined' | 'failed';
    message?: string;
    snapshot: StatusSnapshot;
  }>;
  signOut(): Promise<StatusSnapshot>;
  /** `fromPage`: a web page's control asked; it must never replace another device. */
  register(options?: { fromPage?: boolean }): Promise<StatusSnapshot>;
  deregister(): Promise<StatusSnapshot>;
  listDevices(): Promise<
    { ok: true; devices: DeviceView[] } | { ok: false; error: { message: string } }
  >;
  removeDevice(
    deviceId: string,
  ): Promise<{ ok: true; devices: DeviceView[] } | { ok: false; error: { message: string } }>;
}

export interface RouterContext {
  extensionId: string;
  /** `chrome-extension://<id>` */
  extensionOrigin: string;
  /**
   * What a web page may learn of a snapshot (page-status.ts, with the localized generic texts),
   * with the state of the call its tab asked for.
   */
  pageStatus(snapshot: StatusSnapshot, page?: { tabId: number; origin: string }): PageStatus;
  redirectUrl: string;
  line: LineOperations;
  settings: SettingsStore;
  diagnostics: Diagnostics;
  /** Host permission and content-script registration for a site (the options page asked first). */
  enableSite(origin: string): Promise<void>;
  disableSite(origin: string): Promise<void>;
  settingsChanged(previous: Settings, next: Settings): Promise<void>;
  /** The call preferences were saved: tell the calls document. */
  callPreferencesChanged?(): Promise<void>;
  /**
   * Read the browser's managed policy now and apply it if it changed (its read has a deadline).
   * Awaited before the answers that depend on it, so a late start-up read never lets a sign-in
   * go to the default environment or the options page show the user's settings unlocked.
   */
  freshPolicy?(): Promise<unknown>;
  /** Calls: a user's command, relayed to the offscreen document that holds the calls. */
  calls?: {
    command(command: CallCommand): Promise<CallingView>;
    /** A fresh call key (the correlationId of a call placed here). */
    newCallKey(): string;
  };
  /**
   * Click to call (lib/app/page-call-host.ts): a page's request, confirmed by the user in the
   * extension's own window. Refusals are `PageCallRefusal`s.
   */
  pageCalls?: {
    ask(
      page: { tabId: number; origin: string },
      payload: unknown,
      snapshot: StatusSnapshot,
    ): Promise<void>;
    /** From the confirmation window: `fromTabId` must be the tab of the window opened for it. */
    details(payload: unknown, fromTabId: number | undefined): Promise<PageCallDetails>;
    confirm(payload: unknown, fromTabId: number | undefined): Promise<PageCallDetails>;
  };
  /** Development builds only: store and apply engine timing overrides (validated here). */
  devTiming?(timing: Record<string, number>): Promise<Record<string, number>>;
}

const REQUEST_TYPES: ReadonlySet<string> = new Set<RequestType>([
  'status/get',
  'auth/signIn',
  'auth/signOut',
  'line/register',
  'line/deregister',
  'settings/get',
  'settings/save',
  'settings/calls',
  'sites/list',
  'sites/add',
  'sites/remove',
  'diagnostics/get',
  'diagnostics/clear',
  'dev/timing',
  'devices/list',
  'devices/remove',
  'calls/command',
  'page/call',
  'pageCall/get',
  'pageCall/confirm',
]);

/** The largest payload any request needs (settings with a long URL) is far below this. */
export const MAX_PAYLOAD_CHARS = 16_384;

function isRequest(message: unknown): message is { type: RequestType; payload: unknown } {
  if (typeof message !== 'object' || message === null) return false;
  const { type, payload } = message as Record<string, unknown>;
  return (
    typeof type === 'string' &&
    REQUEST_TYPES.has(type) &&
    (payload === undefined || typeof payload === 'object')
  );
}

function payloadTooLarge(payload: unknown): boolean {
  try {
    return (JSON.stringify(payload) ?? '').length > MAX_PAYLOAD_CHARS;
  } catch {
    // Cycles cannot arrive through runtime messaging; treat anything unserialisable as hostile.
    return true;
  }
}

function fail(code: string, message: string): Response<never> {
  return { ok: false, error: { code, message } };
}

async function settingsView(
  settings: Settings,
  ctx: RouterContext,
  errors?: Record<string, string>,
): Promise<SettingsView> {
  const { clientSecret, ...rest } = settings;
  return {
    settings: { ...rest, clientSecretSet: clientSecret !== '' },
    redirectUrl: ctx.redirectUrl,
    policy: await ctx.settings.policy(),
    signedIn: (await ctx.line.snapshot()).auth !== 'signedOut',
    ...(errors ? { errors } : {}),
  };
}

function stringField(payload: unknown, field: string): string | null {
  const value = (payload as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'string' ? value : null;
}

type Handler = (payload: unknown, ctx: RouterContext, sender: SenderInfo) => Promise<unknown>;

function pageCallsOf(ctx: RouterContext): NonNullable<RouterContext['pageCalls']> {
  if (!ctx.pageCalls) throw new RouterError('unsupported', 'This browser cannot place calls.');
  return ctx.pageCalls;
}

const EXTENSION_HANDLERS: { [T in RequestType]: Handler } = {
  'status/get': (_, ctx) => ctx.line.snapshot(),
  'auth/signIn': async (_, ctx) => {
    const { outcome, message, snapshot } = await ctx.line.signInWithOutcome();
    if (outcome === 'signedIn') return snapshot;
    // Cancelled and declined carry their own code so the UI can stay calm.
    throw new RouterError(
      outcome === 'failed' ? 'signInFailed' : outcome,
      message ?? 'Sign-in did not finish.',
    );
  },
  'auth/signOut': (_, ctx) => ctx.line.signOut(),
  'line/register': (_, ctx) => ctx.line.register(),
  'line/deregister': (_, ctx) => ctx.line.deregister(),
  'settings/get': async (_, ctx) => settingsView(await ctx.settings.load(), ctx),
  'settings/save': async (payload, ctx) => {
    const previous = await ctx.settings.load();
    const input = (payload as Record<string, unknown> | undefined)?.settings;
    const checked = await ctx.settings.check(input);
    if (!checked.ok) return settingsView(previous, ctx, checked.errors);
    if (!sameIdentity(previous, checked.value)) {
      // Sign out first, against the old environment and integration: the old tokens and the
      // old secret never meet the new settings (the page said so before the user saved).
      await ctx.diagnostics.add(
        'settings',
        'Environment or integration changes; signing out first',
      );
      await ctx.line.signOut();
    }
    const result = await ctx.settings.save(input);
    if (!result.ok) return settingsView(previous, ctx, result.errors);
    await ctx.diagnostics.add('settings', 'Settings saved');
    await ctx.settingsChanged(previous, result.value);
    return settingsView(result.value, ctx);
  },
  'settings/calls': async (payload, ctx) => {
    const result = await ctx.settings.saveCalls((payload as { calls?: unknown } | null)?.calls);
    if (!result.ok) return settingsView(await ctx.settings.load(), ctx, result.errors);
    await ctx.diagnostics.add('settings', 'Call preferences saved');
    await ctx.callPreferencesChanged?.();
    return settingsView(result.value, ctx);
  },
  'sites/list': async (_, ctx) => ({ sites: (await ctx.settings.load()).sites }),
  'sites/add': async (payload, ctx) => {
    const result = await ctx.settings.addSite(stringField(payload, 'origin') ?? '');
    if (!result.ok) throw new RouterError('invalid', result.errors.origin ?? 'Invalid site.');
    const added = result.value.sites.at(-1) as string;
    await ctx.enableSite(added);
    return { sites: result.value.sites };
  },
  'sites/remove': async (payload, ctx) => {
    // Normalised like the stored list, so no odd string ever reaches permissions.remove.
    const origin = normalizeOrigin(stringField(payload, 'origin') ?? '');
    if (!origin) throw new RouterError('invalid', 'Invalid site.');
    const next = await ctx.settings.removeSite(origin);
    await ctx.disableSite(origin);
    return { sites: next.sites };
  },
  'diagnostics/get': async (_, ctx) => ({ entries: await ctx.diagnostics.list() }),
  'diagnostics/clear': async (_, ctx) => {
    await ctx.diagnostics.clear();
    return { entries: [] };
  },
  'devices/list': async (_, ctx) => devicesOrThrow(await ctx.line.listDevices()),
  'devices/remove': async (payload, ctx) => {
    const deviceId = stringField(payload, 'deviceId');
    if (!deviceId || deviceId.length > 200) throw new RouterError('invalid', 'Invalid device.');
    return devicesOrThrow(await ctx.line.removeDevice(deviceId));
  },
  'calls/command': async (payload, ctx) => {
    if (!ctx.calls) throw new RouterError('unsupported', 'This browser cannot hold calls.');
    const command = parseCallCommand(
      (payload as Record<string, unknown> | undefined)?.command,
      ctx.calls.newCallKey,
    );
    if (typeof command === 'string') throw new RouterError('invalid', command);
    return ctx.calls.command(command);
  },
  // A page's call is asked by its content script only (the popup dials with calls/command).
  'page/call': async () => {
    throw new RouterError('forbidden', 'Only a call control on a web page asks this.');
  },
  'pageCall/get': (payload, ctx, sender) => pageCallsOf(ctx).details(payload, sender.tabId),
  'pageCall/confirm': (payload, ctx, sender) => pageCallsOf(ctx).confirm(payload, sender.tabId),
  'dev/timing': async (payload, ctx) => {
    if (!ctx.devTiming)
      throw new RouterError('forbidden', 'Timing overrides are for development builds.');
    const timing = (payload as Record<string, unknown> | undefined)?.timing;
    const checked = checkTimingOverrides(timing);
    if (typeof checked === 'string') throw new RouterError('invalid', checked);
    return { timing: await ctx.devTiming(checked) };
  },
};

function devicesOrThrow(
  result: { ok: true; devices: DeviceView[] } | { ok: false; error: { message: string } },
): { devices: DeviceView[] } {
  if (!result.ok) throw new RouterError('failed', result.error.message);
  return { devices: result.devices };
}

/** Timing overrides: known line `Timing` or call timer fields, finite non-negative numbers. */
function checkTimingOverrides(input: unknown): Record<string, number> | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return 'timing must be an object.';
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!Object.hasOwn(DEFAULT_TIMING, key) && !Object.hasOwn(CALL_TIMING_OVERRIDES, key))
      return `Unknown timing field "${key}".`;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      return `timing.${key} must be a non-negative number.`;
    out[key] = value;
  }
  return out;
}

class RouterError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The requests whose answer depends on the organisation's policy: it is read first. */
const NEEDS_FRESH_POLICY: ReadonlySet<string> = new Set([
  'auth/signIn',
  'line/register',
  'settings/get',
  'settings/save',
  'sites/list',
  'sites/add',
]);

/**
 * Answer one runtime message. Returns `undefined` (no answer at all) for senders we do not
 * serve and for messages that are not ours; errors cross the boundary as data.
 */
export async function routeMessage(
  message: unknown,
  sender: SenderInfo,
  ctx: RouterContext,
): Promise<Response<unknown> | undefined> {
  if (!isRequest(message)) return undefined;
  const { sites } = await ctx.settings.load();
  const kind = classifySender(sender, ctx, sites);
  if (kind === 'unknown') return undefined;
  // A policy read that fails keeps the last policy (policy-sync logs it): answer with that.
  if (NEEDS_FRESH_POLICY.has(message.type)) await ctx.freshPolicy?.().catch(() => undefined);
  if (payloadTooLarge(message.payload)) return fail('invalid', 'The request is too large.');
  try {
    if (kind === 'content') {
      // The top frame of an opted-in site (classifySender): its tab and the origin it shows.
      const page = pageOf(sender, ctx, sites);
      if (!page || !(CONTENT_SCRIPT_REQUESTS as readonly string[]).includes(message.type)) {
        return fail('forbidden', 'Not allowed from a web page.');
      }
      if (message.type === 'page/call') {
        // Recorded and shown to the user in the extension's own window; nothing is dialled here.
        await pageCallsOf(ctx).ask(page, message.payload, await ctx.line.snapshot());
      }
      const snapshot =
        message.type === 'line/register'
          ? await ctx.line.register({ fromPage: true })
          : await ctx.line.snapshot();
      return { ok: true, value: ctx.pageStatus(snapshot, page) satisfies PageStatus };
    }
    return {
      ok: true,
      value: await EXTENSION_HANDLERS[message.type](message.payload, ctx, sender),
    };
  } catch (error) {
    if (error instanceof RouterError || error instanceof PageCallRefusal)
      return fail(error.code, error.message);
    return fail('failed', error instanceof Error ? error.message : String(error));
  }
}

export type { RequestMap };
