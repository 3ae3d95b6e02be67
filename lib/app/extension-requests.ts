/**
 * The answers to the extension's own pages (popup, options, the confirmation window), one handler
 * per request type. The router (router.ts) has already checked the sender and the payload's size;
 * a handler refuses with a RouterError.
 */
import { parseCallCommand } from '../messaging/calls';
import type { DeviceView, RequestType, SettingsView } from '../messaging/protocol';
import type { SenderInfo } from '../messaging/senders';
import { normalizeOrigin, type Settings, sameIdentity } from '../settings';
import { pageCallsOf, type RouterContext, RouterError } from './router-context';
import { checkTimingOverrides } from './timing-overrides';

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

/** Every request but `page/call`, which only our content script may make (router.ts). */
type ExtensionRequestType = Exclude<RequestType, 'page/call'>;

export const EXTENSION_HANDLERS: { [T in ExtensionRequestType]: Handler } = {
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
