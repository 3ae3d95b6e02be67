/**
 * Page side, bundled in place of `@webex/calling` for the calls conformance harness's page
 * (bench/sdk/placing-page.ts): the package itself, unmodified, with `createClient` wrapped so
 * that the client the harness made is reachable from the bench (`globalThis.benchCalling`).
 * The harness keeps its line to itself and has no entry point for placing calls; the bench
 * places them with the SDK's own API (`line.makeCall`, `call.dial`), as an app does.
 */
import * as calling from '@webex/calling';

export * from '@webex/calling';

/** What the bench reads in the page. */
export interface BenchCalling {
  client: Awaited<ReturnType<typeof calling.createClient>>;
  createMicrophoneStream: typeof calling.createMicrophoneStream;
}

export const createClient: typeof calling.createClient = async (...args) => {
  const client = await calling.createClient(...args);
  const exposed: BenchCalling = { client, createMicrophoneStream: calling.createMicrophoneStream };
  (globalThis as unknown as { benchCalling: BenchCalling }).benchCalling = exposed;
  return client;
};
