/**
 * The Mobius call API (reference/mobius-calls.md §2) as request specs: method, URL and body as
 * data, so the call machine can name a request and tests can compare it whole; plus `sendCall`,
 * which performs one with the registration's headers and a deadline. Nothing here throws.
 */
import type { Fetch } from '../ports';
import { type Outcome, type RawAnswer, requestJson, requestNoContent } from './http';
import { CALLING_USER_AGENT, type MobiusAuth } from './mobius';
import type { RoapMessage } from './roap';
import { nonEmptyStr, object, optional, str } from './validate';

/** Who the request is about: every body carries it (`device` in the SDK). */
export interface CallDevice {
  deviceId: string;
  /** The client's per-call UUID; Mobius echoes it in every later event (§1.7). */
  correlationId: string;
}

export type CallState = 'sig_alerting' | 'sig_connected';

/** Cause codes the SDK sends on DELETE (`setDisconnectReason`). */
export const CAUSE = {
  normal: { causecode: 0, cause: 'Normal Disconnect.' },
  busy: { causecode: 115, cause: 'User Busy.' },
  mediaInactivity: { causecode: 131, cause: 'Media Inactivity.' },
} as const;
export type CauseName = keyof typeof CAUSE;

interface RtpStat {
  Dur: number;
  Pkt: number;
  Oct: number;
  LatePkt: number;
  LostPkt: number;
  AvgJit: number;
  VQMetrics: Record<string, number>;
}
export interface CallRtpStats {
  'rtp-rxstat': RtpStat;
  'rtp-txstat': RtpStat;
}
const zeroStat = (): RtpStat => ({
  Dur: 0,
  Pkt: 0,
  Oct: 0,
  LatePkt: 0,
  LostPkt: 0,
  AvgJit: 0,
  VQMetrics: {},
});
/** The SDK sends zeros when stats are unavailable. */
export const ZERO_STATS = (): CallRtpStats => ({
  'rtp-rxstat': zeroStat(),
  'rtp-txstat': zeroStat(),
});

export type CallSpec =
  | { tag: 'setup'; device: CallDevice; offer: RoapMessage; mediaId: string; address: string }
  | { tag: 'alerting' | 'connected'; device: CallDevice; callId: string }
  | { tag: 'media'; device: CallDevice; callId: string; roap: RoapMessage; mediaId: string }
  | { tag: 'status'; device: CallDevice; callId: string }
  /** Supplementary services (§6): `POST services/callhold/hold|resume`. */
  | { tag: 'hold' | 'resume'; device: CallDevice; callId: string }
  /** Blind transfer (§2): `POST services/calltransfer/commit`. */
  | { tag: 'transfer'; device: CallDevice; callId: string; destination: string }
  | {
      tag: 'delete';
      device: CallDevice;
      callId: string;
      cause: CauseName;
      metrics?: CallRtpStats;
    };

export interface HttpRequest {
  method: 'POST' | 'PATCH' | 'DELETE';
  url: string;
  body: Record<string, unknown>;
}

/** `server` is the active Mobius URL ending in `/calling/web/`. */
export function buildCallRequest(server: string, spec: CallSpec): HttpRequest {
  const device = { deviceId: spec.device.deviceId, correlationId: spec.device.correlationId };
  const base = `${server}devices/${encodeURIComponent(spec.device.deviceId)}`;
  if (spec.tag === 'setup') {
    return {
      method: 'POST',
      url: `${base}/call`,
      body: {
        device,
        localMedia: { roap: spec.offer, mediaId: spec.mediaId },
        callee: { type: 'uri', address: `tel:${spec.address}` },
      },
    };
  }
  if (spec.tag === 'hold' || spec.tag === 'resume') {
    return {
      method: 'POST',
      url: `${server}services/callhold/${spec.tag}`,
      body: { device, callId: spec.callId },
    };
  }
  if (spec.tag === 'transfer') {
    return {
      method: 'POST',
      url: `${server}services/calltransfer/commit`,
      body: {
        device,
        callId: spec.callId,
        transferType: 'BLIND',
        blindTransferContext: { transferorCallId: spec.callId, destination: spec.destination },
      },
    };
  }
  const call = `${base}/calls/${encodeURIComponent(spec.callId)}`;
  switch (spec.tag) {
    case 'alerting':
    case 'connected':
      return {
        method: 'PATCH',
        url: call,
        body: {
          device,
          callId: spec.callId,
          callState: spec.tag === 'alerting' ? 'sig_alerting' : 'sig_connected',
          inbandMedia: false,
        },
      };
    case 'media':
      return {
        method: 'POST',
        url: `${call}/media`,
        body: {
          device,
          callId: spec.callId,
          localMedia: { roap: spec.roap, mediaId: spec.mediaId },
        },
      };
    case 'status':
      return { method: 'POST', url: `${call}/status`, body: { device, callId: spec.callId } };
    case 'delete':
      // DELETE with a JSON body, as the SDK sends it.
      return {
        method: 'DELETE',
        url: call,
        body: {
          device,
          callId: spec.callId,
          metrics: spec.metrics ?? ZERO_STATS(),
          ...CAUSE[spec.cause],
        },
      };
  }
}

const setupResponse = object({
  callId: nonEmptyStr,
  device: optional(object({ deviceId: optional(str), correlationId: optional(str) })),
});
export type SetupResponse = ReturnType<typeof setupResponse>;

/** Mobius answers calls in a few seconds; a stalled request must not hold the call machine. */
export const CALL_REQUEST_TIMEOUT_MS = 10_000;

export function callHeaders(auth: MobiusAuth): Record<string, string> {
  return {
    authorization: auth.authorization,
    'cisco-device-url': auth.clientDeviceUri,
    'spark-user-agent': CALLING_USER_AGENT,
    trackingid: auth.trackingId,
  };
}

/** Perform one spec. Only the setup POST's body is read (`callId`); the rest need a 2xx. */
export function sendCall(
  fetch: Fetch,
  server: string,
  auth: MobiusAuth,
  spec: CallSpec,
  timeoutMs = CALL_REQUEST_TIMEOUT_MS,
): Promise<Outcome<SetupResponse | RawAnswer>> {
  const request = buildCallRequest(server, spec);
  const options = {
    method: request.method,
    headers: { ...callHeaders(auth), accept: 'application/json' },
    json: request.body,
    timeoutMs,
  };
  const what = `Mobius call ${spec.tag}`;
  if (spec.tag === 'setup') return requestJson(fetch, request.url, options, setupResponse, what);
  return requestNoContent(fetch, request.url, options, what);
}
