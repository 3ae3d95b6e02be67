/**
 * One scenario in its own process: `node --import tsx tests/conformance/scenario.ts`, with the
 * input in CONFORMANCE_SCENARIO_INPUT. Prints one result line (see scenario-protocol) and
 * exits, which also ends the SDK's timers and keepalive worker.
 */
import { SCENARIOS } from './scenarios';
import { AdminClient } from './sdk-harness/admin-client';
import {
  INPUT_ENV,
  RESULT_MARKER,
  type ScenarioInput,
  type ScenarioResult,
} from './sdk-harness/scenario-protocol';
import { type SdkSession, snapshotLine, startSdkSession } from './sdk-harness/sdk-session';
import { Timeline } from './sdk-harness/timeline';
import type { LogLevel } from './sdk-harness/webex-adapter';

const LOG_TAIL = 60;

async function main(): Promise<never> {
  const raw = process.env[INPUT_ENV];
  if (!raw) throw new Error(`${INPUT_ENV} is not set`);
  const input = JSON.parse(raw) as ScenarioInput;
  const script = SCENARIOS[input.scenario];
  if (!script) throw new Error(`unknown scenario ${input.scenario}`);

  const startedAt = Date.now();
  const timeline = new Timeline();
  const logs: string[] = [];
  const log = (level: LogLevel, message: string) => {
    const line = `${level}: ${message}`;
    logs.push(line);
    if (logs.length > LOG_TAIL) logs.shift();
    if (input.verbose) process.stderr.write(`${line}\n`);
  };
  // An SDK promise nobody awaits (timers, event handlers) must not go unnoticed.
  process.on('unhandledRejection', (reason) => {
    timeline.record('step', 'unhandled-rejection', { detail: String(reason) });
  });

  const facts: Record<string, unknown> = {};
  let session: SdkSession | undefined;
  let failure: string | undefined;
  try {
    session = await script({
      timeline,
      admin: new AdminClient(input.urls.admin),
      facts,
      startSession: async (email) => {
        session = await startSdkSession({ urls: input.urls, email, timeline, log });
        return session;
      },
    });
  } catch (error) {
    failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
  }

  const result: ScenarioResult = {
    scenario: input.scenario,
    ok: failure === undefined,
    ...(failure === undefined ? {} : { failure }),
    timeline: timeline.entries,
    facts,
    ...(session ? { line: snapshotLine(session.line) } : {}),
    durationMs: Date.now() - startedAt,
    logTail: logs,
  };
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`, () => process.exit(0));
  // Exit happens in the write callback; keep the event loop from finishing first.
  return new Promise<never>(() => {});
}

main().catch((error: unknown) => {
  process.stderr.write(`scenario runner crashed: ${String(error)}\n`);
  process.exit(1);
});
