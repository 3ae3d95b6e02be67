/**
 * Placed calls end to end (issue 19): the line dials from the popup and through the worker's
 * command, the emulator plays the callee (a werift peer sending a tone, answering, busy, never
 * answering, failing), and both sides measure the other's audio by content. Mid-call: hold and
 * resume (media stops and returns), keypad tones decoded by the callee, blind transfer, and call
 * waiting. Every scenario ends with the calls suite's invariants (call-fixtures.ts).
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { CallCommand, CallView } from '../../lib/messaging/calls';
import type { CalleeBehaviour, Emulator } from '../emulator/index';
import {
  calling,
  connected,
  hangUpCleanly,
  probe,
  registeredAndReady,
  test,
} from './call-fixtures';
import {
  ALICE,
  expect,
  expectNoDeviations,
  send,
  setTiming,
  stopServiceWorker,
  waitForStatus,
} from './fixtures';
import { screenshotDir } from './screenshots';

const CALLEE = '+14085550100';

/** A user's command to the calls document, as the popup sends it. */
function callCommand(page: Page, command: Partial<CallCommand> & { kind: CallCommand['kind'] }) {
  return send(page, 'calls/command', { command: command as CallCommand });
}

/** The placed call, as the view lists it. */
const outgoing = (s: Parameters<typeof calling>[0]): CallView | undefined =>
  calling(s)?.calls.find((c) => c.direction === 'outbound');

/** Dial `number` (as the popup would); resolves with our key and the emulator's call. */
async function dial(page: Page, emulator: Emulator, number = CALLEE) {
  // The answer is the view right after the dial: the new call is in it (whatever comes next).
  const view = await callCommand(page, { kind: 'dial', number });
  const placed = await emulator.waitForOutgoing(number.replace(/[\s-]/g, ''));
  const call = view.calls.find((c) => c.direction === 'outbound');
  if (!call) throw new Error(`the dial's answer lists no placed call: ${JSON.stringify(view)}`);
  return { placed, key: call.key };
}

/** Dialled and answered by the callee, with media flowing both ways. */
async function talking(page: Page, emulator: Emulator, behaviour: CalleeBehaviour = {}) {
  emulator.setCallee(CALLEE, { answerAfterMs: 300, ...behaviour });
  const call = await dial(page, emulator);
  await waitForStatus(page, (s) => outgoing(s)?.state === 'connected');
  await emulator.waitForCall(
    call.placed.callId,
    (c) => c.state === 'connected' && c.heard.rms > 0.01,
    'the callee hears the browser',
    15_000,
  );
  return call;
}

/** Inbound packets the browser received for its only call so far. */
async function packetsIn(page: Page): Promise<number> {
  return (await probe(page)).levels[0]?.inboundPackets ?? 0;
}

test('dialled from the popup: ringback, the callee answers, audio both ways, Hang up ends it', async ({
  context,
  extensionId,
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  emulator.setCallee(CALLEE, { name: 'Pat Callee', answerAfterMs: 1_500 });
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  // A number the SDK would refuse never leaves the popup.
  await popup.getByLabel('Number to call').fill('1-800-FLOWERS');
  await popup.getByRole('button', { name: 'Call', exact: true }).click();
  await expect(popup.getByRole('alert').first()).toContainText('digits');
  await popup.getByLabel('Number to call').fill('+1 408-555-0100');
  await popup.getByRole('button', { name: 'Call', exact: true }).click();
  const placed = await emulator.waitForOutgoing(CALLEE);
  expect(placed.callee?.number).toBe(CALLEE);
  await expect(popup.getByText('Ringing…')).toBeVisible();
  await waitForStatus(page, (s) => outgoing(s)?.state === 'connected');
  const heard = await emulator.waitForCall(
    placed.callId,
    (c) => c.state === 'connected' && c.heard.rms > 0.01,
    'the callee hears the browser',
    15_000,
  );
  const key = outgoing(await send(page, 'status/get'))?.key as string;
  expect(heard.correlationId).toBe(key);
  await expect
    .poll(async () => (await probe(page)).levels[0]?.inboundEnergy ?? 0, { timeout: 10_000 })
    .toBeGreaterThan(0);
  await expect(popup.getByText('On a call')).toBeVisible();
  await popup.screenshot({ path: `${screenshotDir()}/popup-outgoing-call.png` });
  await popup.getByRole('button', { name: 'Hang up' }).click();
  const ended = await emulator.waitForCall(placed.callId, (c) => c.deleted, 'the DELETE');
  expect(ended.end).toMatchObject({ by: 'client', causecode: 0, cause: 'Normal Disconnect.' });
  await waitForStatus(page, (s) => (calling(s)?.calls.length ?? -1) === 0);
  // The number is remembered for a redial.
  await expect(popup.getByRole('button', { name: 'Call +14085550100' })).toBeVisible();
  await expectNoDeviations(emulator);
});

test('busy, no answer and a failed setup each end the call with their reason, and nothing stays open', async ({
  extensionPage: page,
  emulator,
}) => {
  await setTiming(page, { callProgressMs: 3_000 });
  await registeredAndReady(page, emulator);
  const outcomes: Array<[string, CalleeBehaviour, string]> = [
    ['+14085550101', { busy: true }, 'busy'],
    ['+14085550102', { ringForever: true }, 'notAnswered'],
    ['+14085550103', { fail: { status: 503, errorCode: 120 } }, 'unavailable'],
  ];
  for (const [number, behaviour, reason] of outcomes) {
    emulator.setCallee(number, behaviour);
    const { placed, key } = await dial(page, emulator, number);
    const after = await waitForStatus(page, (s) => calling(s)?.lastEnded?.key === key, 15_000);
    expect(calling(after)?.lastEnded, number).toMatchObject({ reason, missed: false });
    expect(calling(after)?.calls).toEqual([]);
    await emulator.waitForCall(placed.callId, (c) => c.state === 'ended', `${number} ended`);
    expect((await probe(page)).open).toBe(0);
  }
  await expectNoDeviations(emulator);
});

test("early media: the callee's network plays audio before the answer, then the call connects", async ({
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  emulator.setCallee(CALLEE, { earlyMedia: true, answerAfterMs: 4_000 });
  const { placed, key } = await dial(page, emulator);
  const ringback = await waitForStatus(page, (s) => outgoing(s)?.earlyMedia === true);
  expect(outgoing(ringback)?.state).toBe('ringback');
  // Heard before the answer: the tone plays while it still rings back.
  await expect
    .poll(async () => (await probe(page)).levels[0]?.inboundEnergy ?? 0, { timeout: 3_500 })
    .toBeGreaterThan(0);
  expect(emulator.calls(ALICE).find((c) => c.callId === placed.callId)?.state).not.toBe(
    'connected',
  );
  await waitForStatus(page, (s) => outgoing(s)?.state === 'connected');
  await hangUpCleanly(page, emulator, placed.callId, key);
});

test('hung up while it rings: the SDK DELETE ends it at the callee too', async ({
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  emulator.setCallee(CALLEE, { ringForever: true });
  const { placed, key } = await dial(page, emulator);
  await waitForStatus(page, (s) => outgoing(s)?.state === 'ringback');
  await callCommand(page, { kind: 'hangup', key });
  const ended = await emulator.waitForCall(placed.callId, (c) => c.deleted, 'the DELETE');
  expect(ended.end).toMatchObject({ by: 'client', causecode: 0 });
  await waitForStatus(page, (s) => (calling(s)?.calls.length ?? -1) === 0);
  await expectNoDeviations(emulator);
});

test('hold and resume: Mobius confirms each, the media stops while held and comes back', async ({
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const { placed, key } = await talking(page, emulator);
  await callCommand(page, { kind: 'hold', key, held: true });
  await waitForStatus(page, (s) => outgoing(s)?.held === true);
  const held = await emulator.waitForCall(placed.callId, (c) => c.held, 'held');
  expect(held.holds).toBe(1);
  // What was already on its way, then nothing from the callee while held.
  await page.waitForTimeout(500);
  const whileHeld = await packetsIn(page);
  await page.waitForTimeout(1_500);
  expect(await packetsIn(page)).toBeLessThanOrEqual(whileHeld + 5);
  await callCommand(page, { kind: 'hold', key, held: false });
  await waitForStatus(page, (s) => outgoing(s)?.held === false && !outgoing(s)?.holdPending);
  await emulator.waitForCall(placed.callId, (c) => !c.held && c.resumes === 1, 'resumed');
  const resumedAt = await packetsIn(page);
  await expect.poll(() => packetsIn(page), { timeout: 10_000 }).toBeGreaterThan(resumedAt + 20);
  await emulator.waitForCall(placed.callId, (c) => c.heard.rms > 0.01, 'heard after resume');
  await hangUpCleanly(page, emulator, placed.callId, key);
});

test('mute on a placed call: the callee hears silence and the call goes on', async ({
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const { placed, key } = await talking(page, emulator);
  await callCommand(page, { kind: 'mute', key, muted: true });
  await page.waitForTimeout(300); // what was already on its way
  let loudest = 0;
  for (let i = 0; i < 100; i++) {
    const call = emulator.calls(ALICE).find((c) => c.callId === placed.callId);
    loudest = Math.max(loudest, call?.heard.rms ?? 0);
    await page.waitForTimeout(20);
  }
  expect(loudest).toBeLessThan(0.001);
  await callCommand(page, { kind: 'mute', key, muted: false });
  await emulator.waitForCall(placed.callId, (c) => c.heard.rms > 0.01, 'heard after unmute');
  await hangUpCleanly(page, emulator, placed.callId, key);
});

test('keypad: the digits arrive at the callee in order (RFC 4733)', async ({
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const { placed, key } = await talking(page, emulator);
  await callCommand(page, { kind: 'digits', key, digits: '12' });
  await callCommand(page, { kind: 'digits', key, digits: '#9*' });
  await emulator.waitForCall(placed.callId, (c) => c.digits === '12#9*', 'the digits', 10_000);
  await hangUpCleanly(page, emulator, placed.callId, key);
});

test('blind transfer: Mobius records the destination and the call ends here as transferred', async ({
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const { placed, key } = await talking(page, emulator);
  await callCommand(page, { kind: 'transfer', key, to: '+1 408 555 0199' });
  const after = await waitForStatus(page, (s) => calling(s)?.lastEnded?.key === key);
  expect(calling(after)?.lastEnded).toMatchObject({ reason: 'transferred', missed: false });
  const done = await emulator.waitForCall(placed.callId, (c) => c.deleted, 'the DELETE');
  expect(done.transfers.map((t) => t.to)).toEqual([expect.stringContaining('14085550199')]);
  await expectNoDeviations(emulator);
});

test('call waiting: answering the second call holds the first; hanging it up, the first resumes', async ({
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const first = await connected(page, emulator);
  const second = await emulator.callMe({ email: ALICE, callerName: 'Quinn Caller' });
  const waiting = await waitForStatus(page, (s) => calling(s)?.calls[1]?.state === 'ringing');
  const secondKey = calling(waiting)?.calls[1]?.key as string;
  await callCommand(page, { kind: 'answer', key: secondKey });
  await emulator.waitForCall(first.offered.callId, (c) => c.held, 'the first call held');
  await emulator.waitForCall(
    second.callId,
    (c) => c.state === 'connected' && c.heard.rms > 0.01,
    'the second caller hears the browser',
    15_000,
  );
  const both = await waitForStatus(page, (s) => calling(s)?.calls.length === 2);
  expect(calling(both)?.calls).toEqual([
    expect.objectContaining({ key: first.key, held: true }),
    expect.objectContaining({ key: secondKey, state: 'connected', held: false }),
  ]);
  await hangUpCleanly(page, emulator, second.callId, secondKey);
  await callCommand(page, { kind: 'hold', key: first.key, held: false });
  await emulator.waitForCall(first.offered.callId, (c) => !c.held && c.resumes === 1, 'resumed');
  await hangUpCleanly(page, emulator, first.offered.callId, first.key);
});

test('the service worker stopped mid-call on a placed call: the call and its audio go on', async ({
  context,
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const { placed, key } = await talking(page, emulator);
  expect(await stopServiceWorker(context, page)).toBe(true);
  const before = await packetsIn(page);
  await expect.poll(() => packetsIn(page), { timeout: 10_000 }).toBeGreaterThan(before);
  expect(outgoing(await send(page, 'status/get'))).toMatchObject({ key, state: 'connected' });
  await hangUpCleanly(page, emulator, placed.callId, key);
});

test.describe('click to call on an opted-in page', () => {
  const SUPPORT = '+14085550123';

  /** The demo page on the opted-in site, recording every `webex-line:call` event's detail. */
  async function demoPage(context: BrowserContext, page: Page, emulator: Emulator) {
    await send(page, 'sites/add', { origin: emulator.urls.base });
    const demo = await context.newPage();
    const events: unknown[] = [];
    await demo.exposeFunction('recordCall', (detail: unknown) => events.push(detail));
    await demo.addInitScript(() => {
      document.addEventListener('webex-line:call', (e) =>
        (window as unknown as { recordCall(d: unknown): void }).recordCall(
          (e as CustomEvent).detail,
        ),
      );
    });
    await demo.goto(`${emulator.urls.base}/demo`);
    const link = demo.locator(`a[href="tel:${SUPPORT}"]`);
    await expect(link).toHaveAttribute('title', /Call .* with Webex/);
    return { demo, events, link };
  }

  /** The extension's confirmation window, once it opens. */
  const confirmation = (context: BrowserContext) =>
    context.waitForEvent('page', {
      predicate: (p) => p.url().includes('/confirm-call.html'),
      timeout: 10_000,
    });

  test("a trusted click on a tel: link asks in the extension's own window; Call there places it, with audio; the page sees only its state", async ({
    context,
    extensionPage: page,
    emulator,
  }) => {
    await registeredAndReady(page, emulator);
    emulator.setCallee(SUPPORT, { answerAfterMs: 300 });
    const { demo, events, link } = await demoPage(context, page, emulator);
    const asked = confirmation(context);
    await link.click();
    const confirm = await asked;
    await expect(confirm.getByText('+14085550123')).toBeVisible();
    await expect(confirm.getByText(new URL(emulator.urls.base).host)).toBeVisible();
    await expect(link).toHaveAttribute('data-webex-line-call', 'confirming');
    // Nothing is placed before the user's own click there.
    expect(emulator.calls(ALICE)).toEqual([]);
    await confirm.getByRole('button', { name: 'Call', exact: true }).click();
    const placed = await emulator.waitForOutgoing(SUPPORT);
    await emulator.waitForCall(
      placed.callId,
      (c) => c.state === 'connected' && c.heard.rms > 0.01,
      'the callee hears the browser',
      15_000,
    );
    await expect
      .poll(async () => (await probe(page)).levels[0]?.inboundEnergy ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(0);
    await expect(link).toHaveAttribute('data-webex-line-call', 'connected');
    await demo.screenshot({ path: `${screenshotDir()}/click-to-call.png` });
    const key = outgoing(await send(page, 'status/get'))?.key as string;
    await hangUpCleanly(page, emulator, placed.callId, key);
    await expect(link).toHaveAttribute('data-webex-line-call', 'ended');
    // What the page learnt: states of its own call, nothing else.
    expect(events.length).toBeGreaterThan(0);
    for (const detail of events) expect(Object.keys(detail as object)).toEqual(['state']);
    expect(JSON.stringify(events)).not.toContain(key);
    expect(JSON.stringify(events)).not.toContain(placed.callId);
  });

  test('refused: a scripted click, a number the page hides, a second call while one is asked; Cancel refuses', async ({
    context,
    extensionPage: page,
    emulator,
  }) => {
    await registeredAndReady(page, emulator);
    const { demo, link } = await demoPage(context, page, emulator);
    const opened: string[] = [];
    context.on('page', (p) => opened.push(p.url()));
    // A click the page makes itself is not the user's. (On the button: a scripted click on the
    // tel: link would also start Chrome's own tel: handling, which then holds the page's input.)
    await demo.evaluate(() => {
      (document.querySelector('[data-webex-line="call"]') as HTMLElement).click();
    });
    // A link whose number is not what the user sees.
    await demo.evaluate(() => {
      const hidden = document.createElement('a');
      hidden.href = 'tel:+19005550100';
      hidden.textContent = 'Contact us';
      hidden.id = 'hidden-number';
      document.body.append(hidden);
    });
    await demo.locator('#hidden-number').click();
    await demo.waitForTimeout(1_000); // a negative check: give the worker time to act
    expect(opened.filter((url) => url.includes('confirm-call'))).toEqual([]);
    expect(emulator.calls(ALICE)).toEqual([]);

    const asked = confirmation(context);
    await link.click();
    const confirm = await asked;
    // A second ask while the first waits: refused, no second window.
    await demo.locator('[data-webex-line="call"]').click();
    await demo.waitForTimeout(1_000); // a negative check
    expect(opened.filter((url) => url.includes('confirm-call'))).toHaveLength(1);
    // Cancel closes the window at once, maybe before the click's own round trip ends.
    await Promise.all([
      confirm.waitForEvent('close'),
      confirm
        .getByRole('button', { name: 'Cancel' })
        .click()
        .catch((error: unknown) => {
          if (!confirm.isClosed()) throw error;
        }),
    ]);
    await expect(link).toHaveAttribute('data-webex-line-call', 'refused');
    expect(emulator.calls(ALICE)).toEqual([]);
    await expectNoDeviations(emulator);
  });
});
