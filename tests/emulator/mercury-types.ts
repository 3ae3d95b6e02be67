/** The Mercury server's connections, views and faults (mobius-calls.md §1). */
import type { WebSocket } from 'ws';

/** What ack-able frame the server sent under an id. */
export type Sent = 'buffer_state' | 'pong' | 'event';

export interface MercurySocketView {
  id: number;
  userId: string | null;
  wdmDeviceId: string;
  authorized: boolean;
  openedAt: number;
  pings: number;
  pongs: number;
  acks: number;
  eventsSent: number;
  /** Ids of frames sent and not yet acknowledged, by kind. */
  unacked: Record<Sent, number>;
}

export interface Conn {
  id: number;
  ws: WebSocket;
  path: string;
  wdmDeviceId: string;
  userId: string | null;
  authorized: boolean;
  openedAt: number;
  pings: number;
  pongs: number;
  acks: number;
  eventsSent: number;
  sequence: number;
  unacked: Map<string, Sent>;
  /** A shutdown was sent: the next socket of this device replaces it (closed with 4001). */
  shuttingDown: boolean;
}

/** Close codes a fault may use; 1006 is not sent on the wire: the socket is dropped. */
export const MERCURY_CLOSE_CODES = [
  1000, 1001, 1003, 1006, 1011, 3050, 4000, 4001, 4400, 4401, 4403,
];

export type MercuryFault =
  | { action: 'close'; code: number; reason?: string; email?: string }
  | { action: 'missingPongs'; count: number; email?: string }
  | { action: 'shutdown'; email?: string };
