/**
 * Proof of the emulator's fidelity: the unmodified @webex/calling 3.12.0 (a client nobody on
 * this team wrote) signs in, discovers, registers, keeps alive, recovers and deregisters
 * against it, one fresh Node process per scenario, and the emulator records no protocol
 * deviation while it does.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceSummary, LogEntry } from '../emulator/index';
import { type Emulator, startEmulator } from '../emulator/index';
import { ALICE, BOB, CAROL } from '../emulator/users';
import { AdminClient } from './sdk-harness/admin-client';
import { runScenario } from './sdk-harness/run-scenario';
import type { LineSnapshot, ScenarioName, ScenarioResult } from './sdk-harness/scenario-protocol';
import type { TimelineEntry } from './sdk-harness/timeline';

const KEEPALIVE_INTERVAL_SEC = 1;
const DEVICE_LIMIT = 3;
const VERBOSE = process.env.CONFORMANCE_VERBOSE === '1';

const REGISTER_PATH = '/api/v1/calling/web/device';
const DEVICE_PATH = /^\/api\/v1\/calling\/web\/devices\/([^/?]+)$/;
const KEEPALIVE_PATH = /^\/api\/v1\/calling\/web\/devices\/([^/?]+)\/status$/;

const MESSAGES = {
  forbidden102:
    'User is not configured for WebRTC calling. Please contact the administrator to resolve this issue.',
  tokenError: 'User is unauthorized due to an expired token. Sign out, then sign back in.',
  notFound: 'Webex Calling is unable to find your device. Sign out, then sign back in',
};

interface LineErrorView {
  message: string;
  type: string;
  status: string;
  context: { method?: string; file?: string };
}

let emulator: Emulator;
let admin: AdminClient;
let emulatorLog: string[];

beforeEach(async () => {
  emulatorLog = [];
  emulator = await startEmulator({
    ports: { base: 0, primary: 0, backup: 0 },
    config: { keepaliveIntervalSec: KEEPALIVE_INTERVAL_SEC, deviceLimit: DEVICE_LIMIT },
    log: (line) => emulatorLog.push(line),
  });
  admin = new AdminClient(emulator.urls.admin);
});

afterEach(async () => {
  await emulator.close();
});

/** Runs a scenario; any failure shows the SDK's and the emulator's view of the run. */
async function run(scenario: ScenarioName): Promise<ScenarioResult> {
  const { result, stderr } = await runScenario({
    scenario,
    urls: emulator.urls,
    verbose: VERBOSE,
  });
  const context = [
    `scenario ${scenario}: ${result.failure ?? 'completed'}`,
    'timeline:',
    ...result.timeline.map((e) => `  ${e.at}ms ${e.kind} ${e.name} ${e.status ?? ''}`),
    'emulator:',
    ...emulatorLog.map((l) => `  ${l}`),
    'sdk log tail:',
    ...result.logTail.map((l) => `  ${l}`),
    stderr && `stderr: ${stderr}`,
  ].join('\n');
  expect(result.ok, context).toBe(true);
  const harnessTrouble = result.timeline.filter(
    (e) => e.name === 'unhandled-rejection' || e.name === 'worker-crashed',
  );
  expect(harnessTrouble, context).toEqual([]);
  return result;
}

const lineEvents = (result: ScenarioResult) =>
  result.timeline.filter((e) => e.kind === 'line').map((e) => e.name);

const clientErrors = (result: ScenarioResult) => result.timeline.filter((e) => e.kind === 'client');

const keepalives = (result: ScenarioResult) =>
  result.timeline.filter((e) => e.kind === 'keepalive');

function lineErrors(result: ScenarioResult): LineErrorView[] {
  return result.timeline
    .filter((e) => e.kind === 'line' && e.name === 'error')
    .map((e) => e.detail as LineErrorView);
}

function indexOfEntry(result: ScenarioResult, predicate: (e: TimelineEntry) => boolean): number {
  return result.timeline.findIndex(predicate);
}

const registrations = (log: LogEntry[]) =>
  log.filter((e) => e.method === 'POST' && e.path === REGISTER_PATH);
const keepalivesFor = (log: LogEntry[], deviceId: string) =>
  log.filter((e) => e.method === 'POST' && KEEPALIVE_PATH.exec(e.path)?.[1] === deviceId);
const deletes = (log: LogEntry[]) =>
  log.filter((e) => e.method === 'DELETE' && DEVICE_PATH.test(e.path));

async function expectNoDeviations(): Promise<void> {
  expect(await admin.deviations()).toEqual([]);
}

/** The Line's data properties must be the emulator's registration, field for field. */
function expectLineMatchesDevice(line: LineSnapshot, device: DeviceSummary | undefined): void {
  expect(device).toBeDefined();
  expect(line.mobiusDeviceId).toBe(device?.deviceId);
  expect(line.sipAddresses).toEqual(device?.addresses);
  expect(line.clientDeviceUri).toBe(device?.clientDeviceUri);
  expect(line.userId).toBe(device?.userId);
  expect(line.keepaliveInterval).toBe(KEEPALIVE_INTERVAL_SEC);
  expect(line.rehomingIntervalMin).toBe(emulator.config.rehomingIntervalMin);
  expect(line.rehomingIntervalMax).toBe(emulator.config.rehomingIntervalMax);
  expect(line.callKeepaliveInterval).toBe(emulator.config.callKeepaliveInterval);
  expect(line.voicePortalNumber).toEqual(expect.any(Number));
  expect(line.lastSeen).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // The SDK derives its active server from device.uri; it must be the listener hosting it.
  expect(`${line.activeMobiusUrl}devices/${line.mobiusDeviceId}`).toBe(device?.uri);
}

describe('@webex/calling 3.12.0 against the emulator', () => {
  it('signs in with PKCE, registers, keeps alive, deregisters, and the device is gone', async () => {
    const result = await run('happy-path');
    const registered = result.facts.registeredLine as LineSnapshot;
    const whileRegistered = result.facts.devicesWhileRegistered as DeviceSummary[];

    expect(lineEvents(result)).toEqual(['connecting', 'registered', 'unregistered']);
    expect(clientErrors(result)).toEqual([]);
    expect(whileRegistered).toHaveLength(1);
    expectLineMatchesDevice(registered, whileRegistered[0]);
    expect(whileRegistered[0]?.server).toBe('primary');
    expect(registered.activeMobiusUrl).toBe(`${emulator.urls.mobiusPrimaryApi}/calling/web/`);
    expect(registered.userId).toBe(ALICE.id);

    const seen = keepalives(result);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const k of seen) {
      expect(k.status).toBe(200);
      expect(k.name).toBe(`POST /api/v1/calling/web/devices/${registered.mobiusDeviceId}/status`);
    }
    const [first, second] = seen;
    // The worker's setInterval(keepaliveInterval s): one interval apart, not a burst.
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(
      KEEPALIVE_INTERVAL_SEC * 1000 * 0.5,
    );
    const device = whileRegistered[0];
    expect(result.facts.sdkDevices).toEqual([
      {
        deviceId: device?.deviceId,
        uri: device?.uri,
        status: 'active',
        lastSeen: expect.stringMatching(/Z$/),
        addresses: device?.addresses,
        clientDeviceUri: device?.clientDeviceUri,
      },
    ]);
    expect(result.facts.statusAfterDeregister).toBe('IDLE');
    expect(result.line?.status).toBe('IDLE');

    const log = await admin.log();
    const deviceId = registered.mobiusDeviceId ?? '';
    expect(registrations(log).map((e) => e.status)).toEqual([200]);
    const beats = keepalivesFor(log, deviceId);
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats.every((e) => e.status === 200 && e.trackingId.startsWith('web_worker_'))).toBe(
      true,
    );
    expect(deletes(log).map((e) => [e.path, e.status >= 200 && e.status < 300])).toEqual([
      [`/api/v1/calling/web/devices/${deviceId}`, true],
    ]);
    // createClient's discovery (its errors are emitted before a listener can attach): region
    // lookup, then the first catalog cluster answers with the primary and backup servers.
    const discovery = log.filter((e) => e.path.startsWith('/api/v1/calling/web/?'));
    expect(log.some((e) => e.path === '/v1/region' && e.status === 200)).toBe(true);
    expect(discovery.map((e) => [e.server, e.status, e.path])).toEqual([
      ['primary', 200, '/api/v1/calling/web/?regionCode=US-EAST&countryCode=US'],
    ]);
    expect(await admin.devices(ALICE.email)).toEqual([]);
    await expectNoDeviations();
  });

  it('restores a registration refused with 403/101 (device limit) and ends registered', async () => {
    const result = await run('device-limit-restored');
    const before = result.facts.devicesBefore as DeviceSummary[];
    const registered = result.facts.registeredLine as LineSnapshot;
    const whileRegistered = result.facts.devicesWhileRegistered as DeviceSummary[];
    const log = await admin.log();
    const [refused, accepted] = registrations(log);
    const [evictionDelete] = deletes(log);
    const evictedId = DEVICE_PATH.exec(evictionDelete?.path ?? '')?.[1];

    expect(before).toHaveLength(DEVICE_LIMIT);
    // connecting, the failed attempt's restore deletes a listed device (unregistered), then
    // the fresh registration; the last unregistered is the scenario's own deregister.
    expect(lineEvents(result)).toEqual([
      'connecting',
      'unregistered',
      'registered',
      'unregistered',
    ]);
    expect(lineErrors(result)).toEqual([]);
    expect(registered.userId).toBe(CAROL.id);

    // 403/101, then DELETE of a device the 403 listed, then a registration that succeeds.
    expect(registrations(log).map((e) => e.status)).toEqual([403, 200]);
    expect(evictionDelete?.status).toBeGreaterThanOrEqual(200);
    expect(evictionDelete?.status).toBeLessThan(300);
    expect(before.map((d) => d.deviceId)).toContain(evictedId);
    expect(log.indexOf(refused as LogEntry)).toBeLessThan(log.indexOf(evictionDelete as LogEntry));
    expect(log.indexOf(evictionDelete as LogEntry)).toBeLessThan(log.indexOf(accepted as LogEntry));
    expect(whileRegistered).toHaveLength(DEVICE_LIMIT);
    expect(whileRegistered.map((d) => d.deviceId)).not.toContain(evictedId);
    expectLineMatchesDevice(
      registered,
      whileRegistered.find((d) => d.deviceId === registered.mobiusDeviceId),
    );
    await expectNoDeviations();
  });

  it('reports 403/102 (user not enabled for WebRTC) as a final forbidden line error', async () => {
    const result = await run('webrtc-not-enabled');

    expect(lineEvents(result)).toEqual(['connecting', 'error']);
    expect(lineErrors(result)).toEqual([
      {
        message: MESSAGES.forbidden102,
        type: 'forbidden',
        status: 'inactive',
        context: expect.objectContaining({ file: 'register' }),
      },
    ]);
    expect(result.line?.status).toBe('inactive');
    expect(result.line?.userId).toBe(BOB.id);
    expect(result.facts.devicesAfter).toEqual([]);

    const log = await admin.log();
    // Final: one attempt, no retry, no keepalive.
    expect(registrations(log).map((e) => e.status)).toEqual([403]);
    expect(log.filter((e) => KEEPALIVE_PATH.test(e.path))).toEqual([]);
    await expectNoDeviations();
  });

  it('re-registers after a keepalive answered 404', async () => {
    const result = await run('keepalive-404-reregisters');
    const firstDeviceId = result.facts.firstDeviceId as string;
    const reregistered = result.facts.reregisteredLine as LineSnapshot;
    const whileRegistered = result.facts.devicesWhileRegistered as DeviceSummary[];

    const events = lineEvents(result);
    const errorAt = events.indexOf('error');
    expect(events.slice(0, 2)).toEqual(['connecting', 'registered']);
    expect(errorAt).toBeGreaterThan(1);
    expect(events.slice(errorAt + 1)).toContain('registered');
    expect(events.at(-1)).toBe('unregistered');
    expect(lineErrors(result)).toEqual([
      {
        message: MESSAGES.notFound,
        type: 'not_found',
        status: 'inactive',
        context: expect.objectContaining({ method: 'startKeepaliveTimer' }),
      },
    ]);
    expect(reregistered.status).toBe('active');
    expect(reregistered.mobiusDeviceId).not.toBe(firstDeviceId);
    expectLineMatchesDevice(
      reregistered,
      whileRegistered.find((d) => d.deviceId === reregistered.mobiusDeviceId),
    );
    const lastBeat = keepalives(result).at(-1);
    expect(lastBeat?.status).toBe(200);
    expect(lastBeat?.name).toContain(`/devices/${reregistered.mobiusDeviceId}/status`);

    const log = await admin.log();
    const missed = log.find((e) => KEEPALIVE_PATH.test(e.path) && e.status === 404);
    expect(missed?.fault).toContain('keepalive');
    expect(KEEPALIVE_PATH.exec(missed?.path ?? '')?.[1]).toBe(firstDeviceId);
    expect(registrations(log).at(-1)?.status).toBe(200);
    expect(log.indexOf(registrations(log).at(-1) as LogEntry)).toBeGreaterThan(
      log.indexOf(missed as LogEntry),
    );
    await expectNoDeviations();
  });

  it('honours Retry-After on a keepalive answered 429 and stays registered', async () => {
    const result = await run('keepalive-429-retry-after');
    const line = result.facts.lineAfterRetry as LineSnapshot;

    const limitedAt = indexOfEntry(result, (e) => e.kind === 'keepalive' && e.status === 429);
    const limited = result.timeline[limitedAt];
    const resumed = result.timeline
      .slice(limitedAt + 1)
      .find((e) => e.kind === 'keepalive' && e.status === 200);
    expect(limited).toBeDefined();
    expect(resumed).toBeDefined();
    // Retry-After: 1 s, then a fresh keepalive timer: nothing is sent before a second passed.
    expect((resumed?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1000);

    const events = lineEvents(result);
    expect(events.slice(0, 2)).toEqual(['connecting', 'registered']);
    // Between registration and the scenario's own deregister: only `reconnecting`.
    expect(events.slice(2, -1)).toContain('reconnecting');
    expect(events.slice(2, -1)).not.toContain('unregistered');
    expect(events.at(-1)).toBe('unregistered');
    expect(lineErrors(result)).toEqual([]);
    expect(result.facts.statusAfterRetry).toBe('active');

    const log = await admin.log();
    // Same device throughout: the SDK did not re-register.
    expect(registrations(log).map((e) => e.status)).toEqual([200]);
    const beats = keepalivesFor(log, line.mobiusDeviceId ?? '');
    expect(beats.map((e) => e.status)).toContain(429);
    expect(beats.at(-1)?.status).toBe(200);
    await expectNoDeviations();
  });

  it('turns a 401 on registration into a final token_error', async () => {
    const result = await run('register-401-token-error');

    expect(result.facts.revoked).toBeGreaterThan(0);
    expect(lineEvents(result)).toEqual(['connecting', 'error']);
    expect(lineErrors(result)).toEqual([
      {
        message: MESSAGES.tokenError,
        type: 'token_error',
        status: 'inactive',
        context: expect.objectContaining({ file: 'register' }),
      },
    ]);
    expect(result.line?.status).toBe('inactive');
    expect(result.facts.devicesAfter).toEqual([]);

    const log = await admin.log();
    expect(registrations(log).map((e) => [e.status, e.fault])).toEqual([[401, undefined]]);
    await expectNoDeviations();
  });
});
