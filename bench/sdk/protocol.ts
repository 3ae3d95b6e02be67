/** What passes between measure 2 and one SDK process: input in an env variable, one marked result line out. */
import type { EmulatorUrls } from '../../tests/emulator/types';

export const SDK_INPUT_ENV = 'BENCH_SDK_INPUT';
export const SDK_RESULT_MARKER = '@@bench-sdk-result ';

export interface SdkRunInput {
  urls: EmulatorUrls;
  email: string;
  warmRuns: number;
}

/**
 * A timed span: `performance.now()` for the duration, epoch ms (Date.now()) for the emulator's
 * log window. The log has whole milliseconds, so spans are kept at least `SPAN_GAP_MS` apart:
 * a request logged at the millisecond one span ends can then never belong to the next.
 */
export interface Span {
  ms: number;
  from: number;
  to: number;
}

export interface SdkRunResult {
  ok: boolean;
  failure?: string;
  /** Signed in (token in hand) to `registered`: catalog, WDM, createClient's discovery, register. */
  cold?: Span;
  /** `register()` to `registered` on the same client after a deregister. */
  warm: Span[];
  /** `deregister()` to `unregistered`. */
  deregister: Span[];
  /** Unhandled rejections and keepalive-worker errors: harness trouble, never expected. */
  trouble: string[];
}

export const SPAN_GAP_MS = 5;

/** The pause between two timed spans (never inside one). */
export const spanGap = () => new Promise((resolve) => setTimeout(resolve, SPAN_GAP_MS));
