/**
 * What passes between the test (parent) and a scenario process (child): the input goes in an
 * environment variable, the result comes back as one marked line on stdout.
 */
import type { EmulatorUrls } from '../../emulator/types';
import type { TimelineEntry } from './timeline';

export const SCENARIO_NAMES = [
  'happy-path',
  'device-limit-restored',
  'webrtc-not-enabled',
  'keepalive-404-reregisters',
  'keepalive-429-retry-after',
  'register-401-token-error',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const INPUT_ENV = 'CONFORMANCE_SCENARIO_INPUT';
export const RESULT_MARKER = '@@conformance-result ';

export interface ScenarioInput {
  scenario: ScenarioName;
  urls: EmulatorUrls;
  /** Echo SDK logs to stderr as they happen. */
  verbose?: boolean;
}

/** Data properties of the SDK's Line at the end of the run. */
export interface LineSnapshot {
  lineId: string;
  userId: string;
  clientDeviceUri: string;
  mobiusDeviceId?: string;
  sipAddresses: string[];
  lastSeen?: string;
  keepaliveInterval?: number;
  callKeepaliveInterval?: number;
  rehomingIntervalMin?: number;
  rehomingIntervalMax?: number;
  voicePortalNumber?: number;
  voicePortalExtension?: number;
  status: string;
  activeMobiusUrl?: string;
}

export interface ScenarioResult {
  scenario: ScenarioName;
  ok: boolean;
  /** Why the scenario script stopped early (a wait timed out, the SDK threw, …). */
  failure?: string;
  timeline: TimelineEntry[];
  /** Values a scenario wants the test to check against the emulator (device ids, user id). */
  facts: Record<string, unknown>;
  line?: LineSnapshot;
  durationMs: number;
  /** The last SDK log lines, to make a failure readable. */
  logTail: string[];
}
