import { MALFORMATIONS, type Malformation } from './malform';
import type { ServerName } from './types';

/** Endpoint names faults can target. */
export const ENDPOINT_NAMES = [
  'authorize',
  'token',
  'people',
  'catalog',
  'region',
  'wdm',
  'discovery',
  'register',
  'keepalive',
  'deregister',
  'devices',
  'ping',
  'callPatch',
  'callMedia',
  'callStatus',
  'callDelete',
  'callSetup',
  'callHold',
  'callResume',
  'callTransfer',
] as const;
export type EndpointName = (typeof ENDPOINT_NAMES)[number];

export type FaultServer = ServerName | 'any';

export interface FaultSpec {
  endpoint: EndpointName;
  /** How many of the next matching requests it answers (default 1). */
  count?: number;
  /** Answer with this status instead of the real handler. */
  status?: number;
  /** JSON (object/array) or text (string) body; a fitting error body when left out. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
  /** Wait this long first (real time: it stands for network latency); alone, it only delays. */
  delayMs?: number;
  /** Destroy the connection instead of answering. */
  reset?: boolean;
  /**
   * Send the status line and headers (of `status`'s reply, or of the real handler's when no
   * status is given), then `stallAfterBytes` bytes of the body, and never finish the body: the
   * response hangs until the client gives up, the listener goes down or the emulator resets.
   */
  stall?: boolean;
  /** With `stall`: how many bytes of the body to send first (default 0). */
  stallAfterBytes?: number;
  /**
   * Answer with the real handler's status and headers but a spoiled body: `truncated` JSON,
   * `wrongTypes` (every value of another type), `missingFields` (`{}`), `empty`, `huge` (5 MB).
   */
  malform?: Malformation;
  server?: FaultServer;
}

export interface Fault extends FaultSpec {
  id: number;
  remaining: number;
  server: FaultServer;
}

export class FaultQueue {
  private faults: Fault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): Fault {
    const fault: Fault = {
      ...spec,
      id: this.nextId++,
      remaining: spec.count ?? 1,
      server: spec.server ?? 'any',
    };
    this.faults.push(fault);
    return { ...fault };
  }

  /** The first fault matching this request, consuming one of its uses. */
  take(endpoint: EndpointName, server: ServerName): Fault | undefined {
    const index = this.faults.findIndex(
      (f) => f.endpoint === endpoint && (f.server === 'any' || f.server === server),
    );
    const fault = this.faults[index];
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return { ...fault };
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): number {
    const count = this.faults.length;
    this.faults = [];
    return count;
  }
}

export function describeFault(fault: Fault): string {
  const parts: string[] = [];
  if (fault.delayMs) parts.push(`delay ${fault.delayMs}ms`);
  if (fault.reset) parts.push('reset');
  else if (fault.status !== undefined) parts.push(`status ${fault.status}`);
  if (fault.stall) parts.push(`stalled after ${fault.stallAfterBytes ?? 0} bytes`);
  if (fault.malform) parts.push(`malformed body (${fault.malform})`);
  return `#${fault.id} ${fault.endpoint}: ${parts.join(', ')}`;
}

/** Validates a fault sent to the admin API. */
export function parseFaultSpec(input: unknown): FaultSpec | string {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    return 'body must be a JSON object';
  }
  const o = input as Record<string, unknown>;
  if (!ENDPOINT_NAMES.includes(o.endpoint as EndpointName)) {
    return `endpoint must be one of ${ENDPOINT_NAMES.join(', ')}`;
  }
  const spec: FaultSpec = { endpoint: o.endpoint as EndpointName };
  if (o.count !== undefined) {
    if (!isInt(o.count) || o.count < 1) return 'count must be a positive integer';
    spec.count = o.count;
  }
  if (o.status !== undefined) {
    if (!isInt(o.status) || o.status < 200 || o.status > 599) {
      return 'status must be an integer from 200 to 599';
    }
    spec.status = o.status;
  }
  if (o.body !== undefined) spec.body = o.body;
  if (o.headers !== undefined) {
    const h = o.headers;
    if (!h || typeof h !== 'object' || Array.isArray(h)) return 'headers must be an object';
    if (!Object.values(h).every((v) => typeof v === 'string')) {
      return 'header values must be strings';
    }
    spec.headers = { ...(h as Record<string, string>) };
  }
  if (o.retryAfter !== undefined) {
    if (!isInt(o.retryAfter) || o.retryAfter < 0) {
      return 'retryAfter must be a non-negative integer (seconds)';
    }
    spec.retryAfter = o.retryAfter;
  }
  if (o.delayMs !== undefined) {
    if (!isInt(o.delayMs) || o.delayMs < 0 || o.delayMs > 600_000) {
      return 'delayMs must be an integer from 0 to 600000';
    }
    spec.delayMs = o.delayMs;
  }
  if (o.reset !== undefined) {
    if (typeof o.reset !== 'boolean') return 'reset must be a boolean';
    spec.reset = o.reset;
  }
  if (o.stall !== undefined) {
    if (typeof o.stall !== 'boolean') return 'stall must be a boolean';
    spec.stall = o.stall;
  }
  if (o.stallAfterBytes !== undefined) {
    if (!isInt(o.stallAfterBytes) || o.stallAfterBytes < 0) {
      return 'stallAfterBytes must be a non-negative integer';
    }
    if (!spec.stall) return 'stallAfterBytes needs stall: true';
    spec.stallAfterBytes = o.stallAfterBytes;
  }
  if (spec.stall && spec.reset) return 'a fault cannot both stall and reset';
  if (o.malform !== undefined) {
    if (!MALFORMATIONS.includes(o.malform as Malformation)) {
      return `malform must be one of ${MALFORMATIONS.join(', ')}`;
    }
    if (spec.status !== undefined || spec.reset) {
      return 'malform spoils the real answer: no status or reset with it';
    }
    spec.malform = o.malform as Malformation;
  }
  if (o.server !== undefined) {
    if (!['primary', 'backup', 'base', 'any'].includes(o.server as string)) {
      return 'server must be primary, backup, base or any';
    }
    spec.server = o.server as FaultServer;
  }
  if (
    spec.status === undefined &&
    !spec.reset &&
    spec.delayMs === undefined &&
    !spec.stall &&
    !spec.malform
  ) {
    return 'a fault needs status, reset, stall, malform or delayMs';
  }
  // Webex always sends Retry-After with a 429 (the SDK reads it as a number): a test that
  // injects one without it would exercise a path production never takes.
  const retryAfterHeader = Object.keys(spec.headers ?? {}).some(
    (name) => name.toLowerCase() === 'retry-after',
  );
  if (spec.status === 429 && spec.retryAfter === undefined && !retryAfterHeader) {
    return 'a 429 fault needs retryAfter (Webex always sends Retry-After with 429)';
  }
  return spec;
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}
