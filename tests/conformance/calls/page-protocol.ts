/** What Node hands the page, and what the page reports back (both sides import this). */
import type { HostMap } from '../sdk-harness/url-map';

export interface PageServices {
  hostCatalog: Record<string, unknown>;
  serviceUrls: Record<string, string>;
  /** webex-core's getMobiusClusters() over the same catalog, computed in Node. */
  mobiusClusters: unknown[];
}

export interface PageConfig {
  accessToken: string;
  device: { url: string; userId: string; orgId: string; webSocketUrl: string };
  services: PageServices;
  hostMap: HostMap;
}

/** One thing the page saw: an SDK or Mercury event, or a request the host object dropped. */
export interface PageEvent {
  at: number;
  /** Date.now() in the page when it happened (the machine's wall clock, for the bench). */
  epochMs?: number;
  source: 'mercury' | 'line' | 'call' | 'host' | 'client';
  name: string;
  detail?: unknown;
}

/** The page's own measurement of the call's audio (RTCPeerConnection getStats). */
export interface PageAudio {
  peerConnections: number;
  iceState: string;
  packetsReceived: number;
  packetsSent: number;
  totalAudioEnergy: number;
  audioLevel: number;
}

export interface IncomingCallView {
  callId: string;
  correlationId: string;
  direction: string;
  callerName?: string;
  callerNumber?: string;
}

export interface OutgoingCallView {
  /** `DefaultLocalId_<uuid>` until the setup's 200 gives the Mobius callId (§5 step 2). */
  callId: string;
  correlationId: string;
  direction: string;
  held: boolean;
}

export const REPORT_FUNCTION = 'reportToHarness';
