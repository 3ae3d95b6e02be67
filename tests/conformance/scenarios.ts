/**
 * The scenario scripts, run one per process by scenario.ts. Each drives the unmodified SDK
 * like an app would and records what it saw; the assertions live in conformance.test.ts.
 * Every wait is on an observed event (SDK event or keepalive response) with a deadline.
 */
import { ALICE, BOB, CAROL } from '../emulator/users';
import type { AdminClient } from './sdk-harness/admin-client';
import type { ScenarioName } from './sdk-harness/scenario-protocol';
import { type SdkSession, snapshotLine } from './sdk-harness/sdk-session';
import { keepalive, lineEvent, type Timeline } from './sdk-harness/timeline';

export interface ScenarioContext {
  timeline: Timeline;
  admin: AdminClient;
  /** Values for the test to check (device ids, emulator views taken mid-run). */
  facts: Record<string, unknown>;
  startSession(email: string): Promise<SdkSession>;
}

const ok = (status: number) => status >= 200 && status < 300;

/** register() resolves when the first attempt is done; events tell the rest. */
function register(ctx: ScenarioContext, session: SdkSession): number {
  const mark = ctx.timeline.mark();
  void session.line.register();
  return mark;
}

async function deregister(ctx: ScenarioContext, session: SdkSession): Promise<void> {
  const mark = ctx.timeline.mark();
  ctx.timeline.record('step', 'deregister');
  await session.line.deregister();
  await ctx.timeline.waitFor('unregistered after deregister', lineEvent('unregistered'), {
    after: mark,
  });
  ctx.facts.statusAfterDeregister = String(session.line.getStatus());
}

async function happyPath(ctx: ScenarioContext): Promise<SdkSession> {
  const session = await ctx.startSession(ALICE.email);
  const mark = register(ctx, session);
  await ctx.timeline.waitFor('registered', lineEvent('registered'), { after: mark });
  ctx.facts.registeredLine = snapshotLine(session.line);
  ctx.facts.devicesWhileRegistered = await ctx.admin.devices(ALICE.email);
  await ctx.timeline.waitForCount('successful keepalive', keepalive(ok), 2, { after: mark });
  // Mobius's device list, read through the SDK (it also primes deregistration from it).
  ctx.facts.sdkDevices = await session.client.getDevices();
  await deregister(ctx, session);
  return session;
}

async function deviceLimitRestored(ctx: ScenarioContext): Promise<SdkSession> {
  ctx.facts.devicesBefore = await ctx.admin.devices(CAROL.email);
  const session = await ctx.startSession(CAROL.email);
  const mark = register(ctx, session);
  await ctx.timeline.waitFor('registered', lineEvent('registered'), { after: mark });
  ctx.facts.registeredLine = snapshotLine(session.line);
  ctx.facts.devicesWhileRegistered = await ctx.admin.devices(CAROL.email);
  await ctx.timeline.waitFor('successful keepalive', keepalive(ok), { after: mark });
  await deregister(ctx, session);
  return session;
}

async function webrtcNotEnabled(ctx: ScenarioContext): Promise<SdkSession> {
  const session = await ctx.startSession(BOB.email);
  const mark = register(ctx, session);
  await ctx.timeline.waitFor('line error', lineEvent('error'), { after: mark });
  ctx.facts.devicesAfter = await ctx.admin.devices(BOB.email);
  return session;
}

async function keepalive404Reregisters(ctx: ScenarioContext): Promise<SdkSession> {
  const session = await ctx.startSession(ALICE.email);
  // Only keepalives can match, so the first keepalive after registration gets the 404.
  await ctx.admin.injectFault({ endpoint: 'keepalive', status: 404, count: 1 });
  const mark = register(ctx, session);
  await ctx.timeline.waitFor('registered', lineEvent('registered'), { after: mark });
  ctx.facts.firstDeviceId = session.line.mobiusDeviceId;
  const missed = await ctx.timeline.waitFor(
    'keepalive 404',
    keepalive((s) => s === 404),
    {
      after: mark,
    },
  );
  const afterMiss = ctx.timeline.entries.indexOf(missed) + 1;
  await ctx.timeline.waitFor('registered again', lineEvent('registered'), { after: afterMiss });
  ctx.facts.reregisteredLine = snapshotLine(session.line);
  ctx.facts.devicesWhileRegistered = await ctx.admin.devices(ALICE.email);
  const again = ctx.timeline.mark();
  await ctx.timeline.waitFor('keepalive after re-registration', keepalive(ok), { after: again });
  await deregister(ctx, session);
  return session;
}

async function keepalive429RetryAfter(ctx: ScenarioContext): Promise<SdkSession> {
  const session = await ctx.startSession(ALICE.email);
  await ctx.admin.injectFault({ endpoint: 'keepalive', status: 429, retryAfter: 1, count: 1 });
  const mark = register(ctx, session);
  await ctx.timeline.waitFor('registered', lineEvent('registered'), { after: mark });
  const limited = await ctx.timeline.waitFor(
    'keepalive 429',
    keepalive((s) => s === 429),
    {
      after: mark,
    },
  );
  const afterLimit = ctx.timeline.entries.indexOf(limited) + 1;
  await ctx.timeline.waitFor('reconnecting', lineEvent('reconnecting'), { after: afterLimit - 1 });
  await ctx.timeline.waitForCount('keepalive after Retry-After', keepalive(ok), 2, {
    after: afterLimit,
  });
  ctx.facts.statusAfterRetry = String(session.line.getStatus());
  ctx.facts.lineAfterRetry = snapshotLine(session.line);
  await deregister(ctx, session);
  return session;
}

async function register401TokenError(ctx: ScenarioContext): Promise<SdkSession> {
  const session = await ctx.startSession(ALICE.email);
  // The token dies between discovery (done by createClient) and registration.
  ctx.facts.revoked = await ctx.admin.revokeTokens(ALICE.email);
  const mark = register(ctx, session);
  await ctx.timeline.waitFor('line error', lineEvent('error'), { after: mark });
  ctx.facts.devicesAfter = await ctx.admin.devices(ALICE.email);
  return session;
}

export const SCENARIOS: Record<ScenarioName, (ctx: ScenarioContext) => Promise<SdkSession>> = {
  'happy-path': happyPath,
  'device-limit-restored': deviceLimitRestored,
  'webrtc-not-enabled': webrtcNotEnabled,
  'keepalive-404-reregisters': keepalive404Reregisters,
  'keepalive-429-retry-after': keepalive429RetryAfter,
  'register-401-token-error': register401TokenError,
};
