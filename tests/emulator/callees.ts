/**
 * Who answers an outgoing call (mobius-calls.md §5): a behaviour per dialled number, chosen by
 * tests or the admin API, and a default for every other number.
 */
import { isObject } from './http';

export interface CalleeBehaviour {
  /** The callee's display name in the caller-id of callprogress / callconnected. */
  name?: string;
  /** Rings this long, then answers (default 500 ms). */
  answerAfterMs?: number;
  /** Never answers: the client gives up (its DELETE, or the SDK's own timeout). */
  ringForever?: boolean;
  /**
   * Busy: the setup is answered 200, then `mobius.calldisconnected` follows with no progress
   * (a busy callee is a SIP 486 after Mobius accepted the call, §8.5 item 4). The other reading,
   * the error table's 503 `errorCode` 115 on the setup itself, is `fail: {status: 503,
   * errorCode: 115}`.
   */
  busy?: boolean;
  /** Rings (callprogress), then refuses after `answerAfterMs`: `mobius.calldisconnected`. */
  decline?: boolean;
  /** The setup POST itself fails with this status and, when given, Mobius `errorCode` (§2). */
  fail?: { status: number; errorCode?: number };
  /**
   * §5 steps 4/5: `answerThenConnect` (default) sends callprogress and the ROAP ANSWER right
   * after the setup and callconnected when the callee answers; `connectThenAnswer` sends
   * callconnected when the callee answers, with no callprogress before, and the ANSWER after
   * it (the SDK test "receive connect directly after setup").
   */
  order?: 'answerThenConnect' | 'connectThenAnswer';
  /** callprogress with `inbandMedia: true`, and the callee's audio flows before connect. */
  earlyMedia?: boolean;
  /** The callee's tone (default 1000 Hz) and the frequency it listens for (default 440 Hz). */
  toneHz?: number;
  listenHz?: number;
  /** 0..1 of full scale (default 0.5). */
  amplitude?: number;
}

export const DEFAULT_ANSWER_AFTER_MS = 500;
/** Unknown numbers: answered after ~500 ms, ANSWER then connect, no early media. */
export const DEFAULT_CALLEE: Readonly<CalleeBehaviour> = { answerAfterMs: DEFAULT_ANSWER_AFTER_MS };

/** The dialled number as the SDK sends it (spaces and dashes stripped, §5 step 1). */
export function calleeKey(number: string): string {
  return number.replace(/^tel:/, '').replace(/[\s-]/g, '');
}

/** §5: what `makeCall` lets through, after stripping: digits and `()*#+.`, at least one digit. */
export function sdkNumber(address: string): string | null {
  if (!address.startsWith('tel:')) return null;
  const number = address.slice(4);
  return /^[\d()*#+.]+$/.test(number) && /\d/.test(number) ? number : null;
}

export class CalleeRegistry {
  private readonly byNumber = new Map<string, CalleeBehaviour>();
  private fallback: CalleeBehaviour = { ...DEFAULT_CALLEE };

  set(number: string, behaviour: CalleeBehaviour): void {
    this.byNumber.set(calleeKey(number), { ...behaviour });
  }

  setDefault(behaviour: CalleeBehaviour): void {
    this.fallback = { ...behaviour };
  }

  get(number: string): CalleeBehaviour {
    return { ...(this.byNumber.get(calleeKey(number)) ?? this.fallback) };
  }

  list(): { default: CalleeBehaviour; callees: Array<{ number: string } & CalleeBehaviour> } {
    return {
      default: { ...this.fallback },
      callees: [...this.byNumber].map(([number, b]) => ({ number, ...b })),
    };
  }

  clear(): void {
    this.byNumber.clear();
    this.fallback = { ...DEFAULT_CALLEE };
  }
}

/** Validates a behaviour from the admin API or a test; a string says what is wrong. */
export function parseCallee(value: unknown): CalleeBehaviour | string {
  if (!isObject(value)) return 'a callee behaviour must be a JSON object';
  const out: CalleeBehaviour = {};
  const known = new Set([
    'number',
    'name',
    'answerAfterMs',
    'ringForever',
    'busy',
    'decline',
    'fail',
    'order',
    'earlyMedia',
    'toneHz',
    'listenHz',
    'amplitude',
  ]);
  const unknown = Object.keys(value).find((k) => !known.has(k));
  if (unknown) return `unknown callee field ${unknown}`;
  if (value.name !== undefined) {
    if (typeof value.name !== 'string') return 'name must be a string';
    out.name = value.name;
  }
  if (value.answerAfterMs !== undefined) {
    const t = value.answerAfterMs;
    if (!Number.isInteger(t) || (t as number) < 0) {
      return 'answerAfterMs must be a non-negative integer';
    }
    out.answerAfterMs = t as number;
  }
  for (const flag of ['ringForever', 'busy', 'decline', 'earlyMedia'] as const) {
    const v = value[flag];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') return `${flag} must be a boolean`;
    out[flag] = v;
  }
  if (value.fail !== undefined) {
    const fail = value.fail;
    if (!isObject(fail) || !Number.isInteger(fail.status)) return 'fail.status must be an integer';
    const status = fail.status as number;
    if (status < 400 || status > 599) return 'fail.status must be 400..599';
    if (fail.errorCode !== undefined && !Number.isInteger(fail.errorCode)) {
      return 'fail.errorCode must be an integer';
    }
    out.fail = {
      status,
      ...(fail.errorCode !== undefined ? { errorCode: fail.errorCode as number } : {}),
    };
  }
  if (value.order !== undefined) {
    if (value.order !== 'answerThenConnect' && value.order !== 'connectThenAnswer') {
      return 'order must be answerThenConnect or connectThenAnswer';
    }
    out.order = value.order;
  }
  for (const hz of ['toneHz', 'listenHz'] as const) {
    const f = value[hz];
    if (f === undefined) continue;
    if (typeof f !== 'number' || f < 100 || f > 3500)
      return `${hz} must be 100..3500 (PCMU at 8 kHz)`;
    out[hz] = f;
  }
  if (value.amplitude !== undefined) {
    const a = value.amplitude;
    if (typeof a !== 'number' || a < 0 || a > 1) return 'amplitude must be 0..1';
    out.amplitude = a;
  }
  const outcomes = [out.ringForever, out.busy, out.decline, out.fail !== undefined].filter(Boolean);
  if (outcomes.length > 1) return 'ringForever, busy, decline and fail exclude each other';
  return out;
}
