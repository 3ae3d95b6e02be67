/**
 * One fresh Node process running the unmodified @webex/calling 3.12.0 against the emulator
 * through the conformance harness (tests/conformance/sdk-harness): sign in, catalog, WDM,
 * createClient (region + Mobius discovery), then register -> registered (cold), deregister ->
 * unregistered, and warm registrations on the same client. Prints one result line and exits
 * (the SDK keeps timers and a keepalive worker).
 */
import { installBrowserShims } from '../../tests/conformance/sdk-harness/browser-shims';
import { loadCallingSdk } from '../../tests/conformance/sdk-harness/calling-sdk';
import {
  emulatorHostMap,
  type SdkSession,
  startSdkSession,
} from '../../tests/conformance/sdk-harness/sdk-session';
import { lineEvent, Timeline } from '../../tests/conformance/sdk-harness/timeline';
import {
  SDK_INPUT_ENV,
  SDK_RESULT_MARKER,
  type SdkRunInput,
  type SdkRunResult,
  type Span,
  spanGap,
} from './protocol';

const now = () => ({ perf: performance.now(), epoch: Date.now() });
type Instant = ReturnType<typeof now>;
const span = (start: Instant, end: Instant): Span => ({
  ms: end.perf - start.perf,
  from: start.epoch,
  to: end.epoch,
});

async function timed(
  timeline: Timeline,
  action: () => unknown,
  event: 'registered' | 'unregistered',
): Promise<Span> {
  await spanGap();
  const mark = timeline.mark();
  const start = now();
  const done = timeline.waitFor(event, lineEvent(event), { after: mark });
  await action();
  await done;
  const end = now();
  await spanGap();
  return span(start, end);
}

async function main(): Promise<SdkRunResult> {
  const raw = process.env[SDK_INPUT_ENV];
  if (!raw) throw new Error(`${SDK_INPUT_ENV} is not set`);
  const input = JSON.parse(raw) as SdkRunInput;
  const result: SdkRunResult = { ok: false, warm: [], deregister: [], trouble: [] };
  process.on('unhandledRejection', (reason) => result.trouble.push(String(reason)));

  // Load the SDK before any clock starts: an app has its code loaded before it registers, as
  // the extension's service worker is already running when the popup is clicked.
  installBrowserShims({
    hostMap: emulatorHostMap(input.urls),
    onWorkerError: (error) => result.trouble.push(`keepalive worker: ${String(error)}`),
    onWorkerFetch: () => {},
  });
  loadCallingSdk();

  // The cold span starts at the harness's signed-in step, read from its timeline entry (whole
  // ms since the timeline was made): a callback on it could run late if the loop is busy.
  const origin = now();
  const timeline = new Timeline();
  let session: SdkSession;
  try {
    session = await startSdkSession({
      urls: input.urls,
      email: input.email,
      timeline,
      log: () => {},
    });
    const mark = timeline.mark();
    const registered = timeline.waitFor('registered', lineEvent('registered'), { after: mark });
    void session.line.register();
    await registered;
    const end = now();
    const signedIn = timeline.entries.find((e) => e.kind === 'step' && e.name === 'signed-in');
    if (!signedIn) throw new Error('the harness recorded no signed-in step');
    const start = { perf: origin.perf + signedIn.at, epoch: origin.epoch + signedIn.at };
    result.cold = span(start, end);
    await spanGap();
    result.deregister.push(await timed(timeline, () => session.line.deregister(), 'unregistered'));
    for (let i = 0; i < input.warmRuns; i += 1) {
      result.warm.push(await timed(timeline, () => void session.line.register(), 'registered'));
      result.deregister.push(
        await timed(timeline, () => session.line.deregister(), 'unregistered'),
      );
    }
    result.ok = true;
  } catch (error) {
    result.failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
  }
  return result;
}

main()
  .then((result) => {
    process.stdout.write(`${SDK_RESULT_MARKER}${JSON.stringify(result)}\n`, () => process.exit(0));
  })
  .catch((error: unknown) => {
    process.stderr.write(`sdk run crashed: ${String(error)}\n`);
    process.exit(1);
  });
