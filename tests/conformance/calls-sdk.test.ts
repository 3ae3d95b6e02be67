/**
 * Proof that the emulator rings the line the way Webex does: the unmodified @webex/calling
 * 3.12.0, bundled into a headless Chromium page with the fake microphone and connected to
 * Mercury by the unmodified @webex/internal-plugin-mercury 3.12.0, registers, receives a call
 * from the emulator, answers it with audio flowing both ways and hangs up, and the emulator
 * records no protocol deviation.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../emulator/index';
import { ALICE } from '../emulator/users';
import { pageConfigFor } from './calls/page-config';
import type { PageAudio } from './calls/page-protocol';
import { SdkPage } from './calls/sdk-page';

const CALL_PATH = /^\/api\/v1\/calling\/web\/devices\/[^/]+\/calls\/([^/]+)(\/media)?$/;

let emulator: Emulator;
let page: SdkPage | undefined;
const emulatorLog: string[] = [];

beforeEach(async () => {
  emulatorLog.length = 0;
  emulator = await startEmulator({
    ports: { base: 0, primary: 0, backup: 0 },
    log: (line) => emulatorLog.push(line),
  });
});

afterEach(async () => {
  await page?.close();
  page = undefined;
  await emulator.close();
});

/** What went on, for a failing expectation: the page's events and the emulator's log. */
const context = () =>
  [
    'page:',
    ...(page?.events ?? []).map(
      (e) => `  ${e.at}ms ${e.source} ${e.name} ${JSON.stringify(e.detail ?? '')}`,
    ),
    'emulator:',
    ...emulatorLog.map((l) => `  ${l}`),
  ].join('\n');

/** Waits at the emulator; a timeout says what the page and the emulator saw meanwhile. */
async function waitForCall(...args: Parameters<Emulator['waitForCall']>) {
  try {
    return await emulator.waitForCall(...args);
  } catch (error) {
    throw new Error(`${String(error)}\n${context()}`);
  }
}

describe('@webex/calling 3.12.0 in Chromium receives a call from the emulator', () => {
  it('rings, answers with the fake microphone, hears and is heard, hangs up; no deviations', async () => {
    page = await SdkPage.open();
    const started = await page.call('start', await pageConfigFor(emulator.urls, ALICE.email));
    expect(started.lineStatus, context()).toBe('active');
    expect(page.named('mercury', 'online'), context()).toHaveLength(1);

    const rung = await emulator.callMe({
      email: ALICE.email,
      callerName: 'Carol Caller',
      callerNumber: '+14085550199',
    });
    const incoming = await page.call('incoming');
    expect(incoming).toMatchObject({
      callId: rung.callId,
      direction: 'inbound',
      callerName: 'Carol Caller',
      callerNumber: '+14085550199',
    });
    await waitForCall(rung.callId, (c) => c.alerted, 'PATCH sig_alerting');

    await page.call('answer');
    const heard = await waitForCall(
      rung.callId,
      (c) => c.state === 'connected' && c.heard.rms > 0.01,
      'the caller hears the fake microphone',
      15_000,
    );
    expect(heard, context()).toMatchObject({
      alerted: true,
      connectedPatch: true,
      answered: true,
      okSent: true,
      correlationId: incoming.correlationId,
      roapErrors: [],
    });
    // The page's own stats: the caller's audio arrives and carries energy; the mic goes out.
    const flowing = (a?: PageAudio) =>
      !!a && a.packetsReceived > 25 && a.packetsSent > 25 && a.totalAudioEnergy > 0;
    await expect
      .poll(async () => flowing(await page?.call('audio')), { timeout: 10_000 })
      .toBe(true);
    expect(await page.call('audio')).toMatchObject({
      peerConnections: 1,
      iceState: expect.stringMatching(/^(connected|completed)$/),
    });
    expect(page.named('call', 'established').length, context()).toBeGreaterThanOrEqual(1);

    await page.call('end');
    const ended = await waitForCall(rung.callId, (c) => c.deleted, 'the DELETE');
    expect(ended.end).toMatchObject({
      by: 'client',
      reason: 'deleted',
      causecode: 0,
      cause: 'Normal Disconnect.',
    });
    // §1.3-1.4 as the unmodified Mercury plugin speaks them: one authorized socket, pinged and
    // ponged, every frame with an id acked (buffer_state, pongs, the call's three events).
    const [socket, ...others] = emulator.mercury.sockets(ALICE.id);
    expect(others).toEqual([]);
    expect(socket).toMatchObject({
      authorized: true,
      eventsSent: 3,
      unacked: { buffer_state: 0, pong: 0, event: 0 },
    });
    expect(socket?.pings).toBeGreaterThanOrEqual(1);
    expect(socket?.acks).toBe((socket?.eventsSent ?? 0) + 1 + (socket?.pongs ?? 0));

    await page.call('stop');
    expect(page.named('line', 'unregistered'), context()).toHaveLength(1);
    expect(page.named('mercury', 'offline'), context()).toHaveLength(1);
    expect(emulator.mercury.sockets(ALICE.id)).toEqual([]);
    expect(emulator.devices(ALICE.email)).toEqual([]);

    const callRequests = emulator
      .requestLog()
      .filter((e) => CALL_PATH.test(e.path))
      .map((e) => `${e.method}${CALL_PATH.exec(e.path)?.[2] ?? ''} ${e.status}`);
    expect(callRequests, context()).toEqual([
      'PATCH 200',
      'PATCH 200',
      'POST/media 200',
      'DELETE 200',
    ]);
    expect(page.named('call', 'call_error'), context()).toEqual([]);
    expect(page.named('host', 'pageerror'), context()).toEqual([]);
    expect(page.named('host', 'network-error'), context()).toEqual([]);
    // §9b: the SDK's RTC metrics are `service` requests without a `uri`; the host drops them.
    for (const dropped of page.named('host', 'dropped-request')) {
      expect(dropped.detail).toBe('unifiedTelemetry');
    }
    expect(emulator.deviations(), context()).toEqual([]);
  });
});
