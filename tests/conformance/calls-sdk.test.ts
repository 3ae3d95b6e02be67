/**
 * Proof that the emulator rings the line the way Webex does: the unmodified @webex/calling
 * 3.12.0, bundled into a headless Chromium page with the fake microphone and connected to
 * Mercury by the unmodified @webex/internal-plugin-mercury 3.12.0, registers, receives calls
 * from the emulator, answers with audio flowing both ways, declines, is hung up on, rides out
 * Mercury drops, and the emulator records no protocol deviation.
 */
import { describe, expect, it } from 'vitest';
import type { RingOptions } from '../emulator/index';
import { ALICE } from '../emulator/users';
import type { PageAudio } from './calls/page-protocol';
import type { SdkPage } from './calls/sdk-page';
import { useSdkSession } from './calls/session';

const CALL_PATH = /^\/api\/v1\/calling\/web\/devices\/[^/]+\/calls\/([^/]+)(\/media)?$/;

const session = useSdkSession({ pageEventTimeoutMs: 10_000 });
const { context, waitForCall, pageSaw } = session;

/** A page with Mercury connected and the line registered (§1.1: WDM, Mercury, Mobius). */
async function registeredPage(): Promise<SdkPage> {
  const page = await session.openRegistered();
  expect(page.named('mercury', 'online'), context()).toHaveLength(1);
  return page;
}

/** The emulator rings Alice; the SDK reports the call and sends its PATCH sig_alerting. */
async function ring(sdk: SdkPage, options: Partial<RingOptions> = {}) {
  const rung = await session.emulator.callMe({ email: ALICE.email, ...options });
  const incoming = await sdk.call('incoming');
  expect(incoming, context()).toMatchObject({ callId: rung.callId, direction: 'inbound' });
  await waitForCall(rung.callId, (c) => c.alerted, 'PATCH sig_alerting');
  return incoming;
}

/** Call API requests of one call, as `<METHOD>[/media] <status>`. */
function callRequests(callId: string): string[] {
  return session.emulator
    .requestLog()
    .filter((e) => CALL_PATH.exec(e.path)?.[1] === callId)
    .map((e) => `${e.method}${CALL_PATH.exec(e.path)?.[2] ?? ''} ${e.status}`);
}

/**
 * The plugin acks every frame it receives and rejects, unhandled, when a frame has no `id`
 * (socket-base `_acknowledge`). The §1.4 shutdown frame is `{"type":"shutdown"}`, as in the
 * plugin's own tests; whether Mercury's real one carries an id is unconfirmed.
 */
const IDLESS_ACK = 'Error: `event.data.id` is required';

function expectNothingAmiss(sdk: SdkPage, shutdowns = 0): void {
  expect(sdk.named('call', 'call_error'), context()).toEqual([]);
  const pageErrors = sdk.named('host', 'pageerror').map((e) => e.detail);
  expect(pageErrors, context()).toEqual(Array(shutdowns).fill(IDLESS_ACK));
  expect(sdk.named('host', 'network-error'), context()).toEqual([]);
  // §9b: the SDK's RTC metrics are `service` requests without a `uri`; the host drops them.
  for (const dropped of sdk.named('host', 'dropped-request')) {
    expect(dropped.detail).toBe('unifiedTelemetry');
  }
  expect(session.emulator.deviations(), context()).toEqual([]);
}

const flowing = (a?: PageAudio) =>
  !!a && a.packetsReceived > 25 && a.packetsSent > 25 && a.totalAudioEnergy > 0;

describe('@webex/calling 3.12.0 in Chromium takes calls from the emulator', () => {
  it('rings, answers with the fake microphone, hears and is heard, hangs up; no deviations', async () => {
    const sdk = await registeredPage();
    const incoming = await ring(sdk, { callerName: 'Carol Caller', callerNumber: '+14085550199' });
    expect(incoming).toMatchObject({ callerName: 'Carol Caller', callerNumber: '+14085550199' });

    await sdk.call('answer', incoming.callId);
    const heard = await waitForCall(
      incoming.callId,
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
    await expect.poll(async () => flowing(await sdk.call('audio')), { timeout: 10_000 }).toBe(true);
    expect(await sdk.call('audio')).toMatchObject({
      peerConnections: 1,
      iceState: expect.stringMatching(/^(connected|completed)$/),
    });
    expect(sdk.named('call', 'established').length, context()).toBeGreaterThanOrEqual(1);

    await sdk.call('end', incoming.callId);
    const ended = await waitForCall(incoming.callId, (c) => c.deleted, 'the DELETE');
    expect(ended.end).toMatchObject({
      by: 'client',
      reason: 'deleted',
      causecode: 0,
      cause: 'Normal Disconnect.',
    });
    expect(callRequests(incoming.callId), context()).toEqual([
      'PATCH 200',
      'PATCH 200',
      'POST/media 200',
      'DELETE 200',
    ]);

    // §1.3-1.4 as the unmodified Mercury plugin speaks them: one authorized socket, pinged and
    // ponged, every frame with an id acked (buffer_state, pongs, the call's three events).
    const [socket, ...others] = session.emulator.mercury.sockets(ALICE.id);
    expect(others).toEqual([]);
    expect(socket).toMatchObject({
      authorized: true,
      eventsSent: 3,
      unacked: { buffer_state: 0, pong: 0, event: 0 },
    });
    expect(socket?.pings).toBeGreaterThanOrEqual(1);
    expect(socket?.acks).toBe((socket?.eventsSent ?? 0) + 1 + (socket?.pongs ?? 0));

    await sdk.call('stop');
    expect(sdk.named('line', 'unregistered'), context()).toHaveLength(1);
    expect(sdk.named('mercury', 'offline'), context()).toHaveLength(1);
    expect(session.emulator.mercury.sockets(ALICE.id)).toEqual([]);
    expect(session.emulator.devices(ALICE.email)).toEqual([]);
    expectNothingAmiss(sdk);
  });

  it('the caller hangs up while it rings: disconnect, then the DELETE with 115', async () => {
    const sdk = await registeredPage();
    const incoming = await ring(sdk);
    session.emulator.hangUp(incoming.callId);
    await pageSaw('call', 'disconnect');
    const ended = await waitForCall(incoming.callId, (c) => c.deleted, 'the DELETE');
    expect(ended.end).toMatchObject({ by: 'caller', reason: 'hangup', causecode: 115 });
    expect(callRequests(incoming.callId), context()).toEqual(['PATCH 200', 'DELETE 200']);
    expectNothingAmiss(sdk);
  });

  it('rings again after Mercury drops (1006) and after a shutdown switchover; a decline is 115', async () => {
    const sdk = await registeredPage();
    session.emulator.mercury.fault({ action: 'close', code: 1006 }, ALICE.id);
    await pageSaw('mercury', 'offline.transient');
    await pageSaw('mercury', 'online', 2);
    const afterDrop = await ring(sdk);
    await sdk.call('end', afterDrop.callId);
    const declined = await waitForCall(afterDrop.callId, (c) => c.deleted, 'the DELETE');
    expect(declined.end).toMatchObject({ by: 'client', causecode: 115, cause: 'User Busy.' });

    // §1.4 make-before-break: a new socket first, then the server closes the old with 4001.
    session.emulator.mercury.fault({ action: 'shutdown' }, ALICE.id);
    await pageSaw('mercury', 'event:mercury_shutdown_switchover_complete');
    await pageSaw('mercury', 'offline.replaced');
    expect(session.emulator.mercury.sockets(ALICE.id)).toHaveLength(1);
    const afterShutdown = await ring(sdk);
    await sdk.call('end', afterShutdown.callId);
    await waitForCall(afterShutdown.callId, (c) => c.deleted, 'the DELETE');
    expect(sdk.named('line', 'incoming_call')).toHaveLength(2);
    expect(sdk.named('mercury', 'offline.permanent')).toEqual([]);
    expectNothingAmiss(sdk, 1);
  });
});
