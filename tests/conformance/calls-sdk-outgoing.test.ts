/**
 * Proof that the emulator plays the callee the way Webex does: the unmodified @webex/calling
 * 3.12.0, bundled into a headless Chromium page with the fake microphone and connected to
 * Mercury by the unmodified @webex/internal-plugin-mercury 3.12.0, places a call through the
 * emulator (mobius-calls.md §5), hears and is heard, holds and resumes (§6: the services
 * requests, the emulator's ROAP re-offers, the `midCallService` events), sends RFC 4733 digits
 * the callee decodes, and hangs up; a busy callee and one that never answers end cleanly too.
 * The emulator records no protocol deviation.
 */
import { describe, expect, it } from 'vitest';
import { ALICE } from '../emulator/users';
import type { OutgoingCallView, PageAudio } from './calls/page-protocol';
import type { SdkPage } from './calls/sdk-page';
import { useSdkSession } from './calls/session';

const CALL_API = /^\/api\/v1\/calling\/web\/(.*)$/;
const DEVICE = /^devices\/[^/]+\//;

const session = useSdkSession({ pageEventTimeoutMs: 12_000 });
const { context, waitForCall, pageSaw } = session;

async function registeredPage(): Promise<SdkPage> {
  const page = await session.openRegistered();
  return page;
}

/** The page dials `address`; the emulator hands out the call it set up. */
async function place(sdk: SdkPage, address: string, number: string) {
  const dialled: OutgoingCallView = await sdk.call('place', address);
  expect(dialled.callId, context()).toMatch(/^DefaultLocalId_/);
  const call = await session.emulator.waitForOutgoing(number, 10_000).catch((error) => {
    throw new Error(`${String(error)}\n${context()}`);
  });
  expect(call.correlationId, context()).toBe(dialled.correlationId);
  return { dialled, call };
}

/** The call's Mobius requests (setup, media, services, DELETE) as `<METHOD> <path> <status>`. */
function callRequests(): string[] {
  return session.emulator.requestLog().flatMap((e) => {
    const rest = CALL_API.exec(e.path)?.[1]?.replace(DEVICE, '') ?? '';
    if (!/^(call$|calls\/|services\/)/.test(rest)) return [];
    return [`${e.method} ${rest.replace(/^calls\/[^/]+/, 'calls/{id}')} ${e.status}`];
  });
}

function expectNothingAmiss(sdk: SdkPage): void {
  for (const name of ['call_error', 'hold_error', 'resume_error']) {
    expect(sdk.named('call', name), context()).toEqual([]);
  }
  expect(sdk.named('host', 'pageerror'), context()).toEqual([]);
  expect(sdk.named('host', 'network-error'), context()).toEqual([]);
  // §9b: the SDK's RTC metrics are `service` requests without a `uri`; the host drops them.
  for (const dropped of sdk.named('host', 'dropped-request')) {
    expect(dropped.detail).toBe('unifiedTelemetry');
  }
  expect(session.emulator.deviations(), context()).toEqual([]);
}

const audio = (sdk: SdkPage): Promise<PageAudio> => sdk.call('audio');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('@webex/calling 3.12.0 in Chromium places calls through the emulator', () => {
  it('dials, the callee answers, audio both ways, hold, resume, digits, hang up; no deviations', async () => {
    const sdk = await registeredPage();
    session.emulator.setCallee('+14085550123', { name: 'Dora Callee', answerAfterMs: 300 });
    // §5 step 1: spaces and dashes are stripped, `tel:` is prefixed.
    const { dialled, call } = await place(sdk, '+1 408 555-0123', '+14085550123');
    expect(call).toMatchObject({ direction: 'outbound', callee: { number: '+14085550123' } });

    // §5 steps 3-5: progress, the ANSWER and its OK, connect, established; the Mobius callId.
    const up = await waitForCall(
      call.callId,
      (c) => c.state === 'connected' && c.heard.rms > 0.01,
      'the callee hears the fake microphone',
      15_000,
    );
    expect(up, context()).toMatchObject({ alerted: true, answered: true, okReceived: true });
    expect(up.roapErrors).toEqual([]);
    await pageSaw('call', 'established');
    expect(sdk.named('call', 'progress'), context()).toHaveLength(1);
    expect(sdk.named('call', 'connect'), context()).toHaveLength(1);
    expect(await sdk.call('outgoing', dialled.correlationId)).toMatchObject({
      callId: call.callId,
      held: false,
    });
    // The page's own stats: the callee's tone arrives with energy; the microphone goes out.
    await expect
      .poll(
        async () => {
          const a = await audio(sdk);
          return a.packetsReceived > 25 && a.packetsSent > 25 && a.totalAudioEnergy > 0;
        },
        { timeout: 10_000, message: context() },
      )
      .toBe(true);

    // §6 hold: the services request, the emulator's re-offer (seq 2), ANSWER/OK, then HELD.
    await sdk.call('holdResume', dialled.correlationId);
    await pageSaw('call', 'held');
    const held = await waitForCall(call.callId, (c) => c.held, 'the hold');
    expect(held).toMatchObject({ holds: 1, offerSeq: 2, sent: { sending: false } });
    expect((await sdk.call('outgoing', dialled.correlationId)).held).toBe(true);
    // Media stops both ways while held: the callee sends nothing, and the SDK's answer to the
    // `sendonly` re-offer (`recvonly`) stops the microphone's packets.
    const before = await audio(sdk);
    const calleeBefore = held.media.packetsReceived;
    await sleep(600);
    const during = await audio(sdk);
    expect(during.packetsReceived - before.packetsReceived, context()).toBeLessThan(5);
    const [heldView] = session.emulator.calls(ALICE.email).filter((c) => c.callId === call.callId);
    const calleeDuring = heldView?.media.packetsReceived ?? 0;
    expect(calleeDuring - calleeBefore, context()).toBeLessThan(5);

    // §6 resume: re-offer seq 3, CONNECTED, the callee's audio returns.
    await sdk.call('holdResume', dialled.correlationId);
    await pageSaw('call', 'resumed');
    const resumed = await waitForCall(
      call.callId,
      (c) => !c.held && c.resumes === 1 && c.media.packetsReceived > calleeDuring + 25,
      'the resume, and the microphone’s packets again',
    );
    expect(resumed).toMatchObject({ offerSeq: 3, sent: { sending: true } });
    await expect
      .poll(async () => (await audio(sdk)).packetsReceived - during.packetsReceived, {
        timeout: 5_000,
        message: context(),
      })
      .toBeGreaterThan(25);

    // §6 DTMF: insertDTMF per digit; the callee decodes RFC 4733 telephone-events in order.
    await sdk.call('digits', { id: dialled.correlationId, tones: ['1', '2', '#', '9'] });
    await waitForCall(call.callId, (c) => c.digits === '12#9', 'the digits 12#9');

    // §5 step 6: the local hang-up is a DELETE with 0 "Normal Disconnect."; no `disconnect`.
    await sdk.call('end', dialled.correlationId);
    const ended = await waitForCall(call.callId, (c) => c.deleted, 'the DELETE');
    expect(ended.end).toMatchObject({ by: 'client', reason: 'deleted', causecode: 0 });
    expect(ended.end?.cause).toBe('Normal Disconnect.');
    expect(callRequests(), context()).toEqual([
      'POST call 200',
      'POST calls/{id}/media 200',
      'POST services/callhold/hold 200',
      'POST calls/{id}/media 200',
      'POST services/callhold/resume 200',
      'POST calls/{id}/media 200',
      'DELETE calls/{id} 200',
    ]);
    // `established` again after each mid-call ROAP OK (§9b).
    expect(sdk.named('call', 'established').length).toBe(3);
    expect(sdk.named('call', 'disconnect'), context()).toEqual([]);
    expectNothingAmiss(sdk);
  });

  it('a busy callee disconnects: `disconnect`, then the DELETE; one that never answers is hung up', async () => {
    const sdk = await registeredPage();
    session.emulator.setCallee('5550100', { busy: true });
    session.emulator.setCallee('5550199', { ringForever: true });

    const busy = await place(sdk, '555-0100', '5550100');
    await pageSaw('call', 'disconnect');
    const refused = await waitForCall(busy.call.callId, (c) => c.deleted, 'the DELETE');
    // An outgoing call's DELETE carries 0 "Normal Disconnect." whoever ended it (§2).
    expect(refused.end).toMatchObject({ by: 'callee', reason: 'busy', causecode: 0 });

    const ringing = await place(sdk, '5550199', '5550199');
    await pageSaw('call', 'progress');
    await waitForCall(ringing.call.callId, (c) => c.alerted && c.answered, 'ringing');
    await sdk.call('end', ringing.dialled.correlationId);
    const cancelled = await waitForCall(ringing.call.callId, (c) => c.deleted, 'the DELETE');
    expect(cancelled.end).toMatchObject({ by: 'client', reason: 'deleted', causecode: 0 });
    expect(callRequests(), context()).toEqual([
      'POST call 200',
      'DELETE calls/{id} 200',
      'POST call 200',
      'POST calls/{id}/media 200',
      'DELETE calls/{id} 200',
    ]);
    expect(sdk.named('call', 'disconnect'), context()).toHaveLength(1);
    expectNothingAmiss(sdk);
  });
});
