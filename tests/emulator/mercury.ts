/**
 * Mercury, the Webex WebSocket that carries call events (mobius-calls.md §1), on the base
 * listener: authorization frame, buffer_state, ping/pong with the same id, acks for every frame
 * that has an id, the §1.6 event envelope, close codes and `shutdown`. Strict: every frame that
 * strays from §1 is a deviation (the frame is otherwise ignored, as the real server would).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { isObject } from './http';
import { newTrackingId, newUuid } from './ids';
import type { Conn, MercuryFault, MercurySocketView, Sent } from './mercury-types';
import { redactedPath } from './request-log';
import type { EmulatorState } from './state';

export { MERCURY_CLOSE_CODES, type MercuryFault, type MercurySocketView } from './mercury-types';

export const MERCURY_PATH = /^\/mercury\/v1\/apps\/wx2\/registrations\/([^/]+)\/messages$/;

export class MercuryServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns = new Set<Conn>();
  private nextId = 1;
  /** Pings left unanswered, per user id ('' for every user). */
  private readonly pongsToSkip = new Map<string, number>();

  constructor(private readonly state: EmulatorState) {}

  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const match = MERCURY_PATH.exec(url.pathname);
    const wdm = match ? this.state.wdm.get(decodeURIComponent(match[1] ?? '')) : undefined;
    if (!match || !wdm) {
      this.deviate(
        url,
        `WebSocket upgrade for ${match ? 'an unknown WDM device' : 'a path that is not Mercury'}`,
      );
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    this.checkQuery(url);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn: Conn = {
        id: this.nextId++,
        ws,
        path: redactedPath(url),
        wdmDeviceId: wdm.id,
        userId: null,
        authorized: false,
        openedAt: this.state.now(),
        pings: 0,
        pongs: 0,
        acks: 0,
        eventsSent: 0,
        sequence: 0,
        unacked: new Map(),
        shuttingDown: false,
      };
      this.conns.add(conn);
      ws.on('message', (data, isBinary) => this.onFrame(conn, data.toString(), isBinary));
      ws.on('close', () => this.conns.delete(conn));
      ws.on('error', () => this.conns.delete(conn));
    });
  };

  /** Pushes a §1.6 envelope to every authorized socket of the user; returns how many. */
  push(userId: string, data: Record<string, unknown>): number {
    let sent = 0;
    for (const conn of this.authorizedOf(userId)) {
      const id = newUuid();
      conn.sequence++;
      conn.eventsSent++;
      conn.unacked.set(id, 'event');
      const now = this.state.now();
      this.send(conn, {
        id,
        data,
        timestamp: now,
        trackingId: newTrackingId(),
        alertType: 'full',
        headers: {},
        sequenceNumber: conn.sequence,
        filterMessage: false,
        wsWriteTimestamp: now,
      });
      sent++;
    }
    return sent;
  }

  /** Whether the user can be offered a call: at least one authorized socket. */
  reachable(userId: string): boolean {
    return this.authorizedOf(userId).length > 0;
  }

  sockets(userId?: string): MercurySocketView[] {
    return [...this.conns]
      .filter((c) => userId === undefined || c.userId === userId)
      .map((c) => {
        const unacked: Record<Sent, number> = { buffer_state: 0, pong: 0, event: 0 };
        for (const kind of c.unacked.values()) unacked[kind]++;
        return {
          id: c.id,
          userId: c.userId,
          wdmDeviceId: c.wdmDeviceId,
          authorized: c.authorized,
          openedAt: c.openedAt,
          pings: c.pings,
          pongs: c.pongs,
          acks: c.acks,
          eventsSent: c.eventsSent,
          unacked,
        };
      });
  }

  /** Applies a fault to the user's sockets (every socket without `userId`); returns how many. */
  fault(fault: MercuryFault, userId?: string): number {
    if (fault.action === 'missingPongs') {
      this.pongsToSkip.set(userId ?? '', fault.count);
      return this.authorizedOf(userId).length;
    }
    const targets = [...this.conns].filter((c) => userId === undefined || c.userId === userId);
    for (const conn of targets) {
      if (fault.action === 'shutdown') {
        conn.shuttingDown = true;
        this.send(conn, { type: 'shutdown' });
      } else if (fault.code === 1006) conn.ws.terminate();
      else conn.ws.close(fault.code, fault.reason ?? '');
    }
    return targets.length;
  }

  /** Drops every socket (reset, close). */
  dropAll(): void {
    for (const conn of this.conns) conn.ws.terminate();
    this.conns.clear();
    this.pongsToSkip.clear();
  }

  close(): Promise<void> {
    this.dropAll();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }

  private authorizedOf(userId: string | undefined): Conn[] {
    return [...this.conns].filter(
      (c) =>
        c.authorized &&
        c.ws.readyState === WebSocket.OPEN &&
        (userId === undefined || c.userId === userId),
    );
  }

  /** §1.2: the SDK's _prepareUrl always asks for text frames and buffer states. */
  private checkQuery(url: URL): void {
    const q = url.searchParams;
    if (q.get('outboundWireFormat') !== 'text') {
      this.deviate(url, 'Mercury URL without outboundWireFormat=text');
    }
    if (q.get('bufferStates') !== 'true' && q.get('mercuryRegistrationStatus') !== 'true') {
      this.deviate(url, 'Mercury URL without bufferStates=true');
    }
  }

  private onFrame(conn: Conn, text: string, isBinary: boolean): void {
    let frame: unknown;
    try {
      frame = isBinary ? undefined : JSON.parse(text);
    } catch {
      frame = undefined;
    }
    if (!isObject(frame)) {
      this.deviate(conn, 'Mercury frame that is not a JSON object in a text frame');
      return;
    }
    if (!conn.authorized) {
      this.authorize(conn, frame);
      return;
    }
    switch (frame.type) {
      case 'ping':
        this.ping(conn, frame);
        return;
      case 'ack':
        this.ack(conn, frame);
        return;
      case 'authorization':
        this.deviate(conn, 'second authorization frame on an authorized socket');
        return;
      default:
        this.deviate(conn, `Mercury frame of unknown type ${JSON.stringify(frame.type)}`);
    }
  }

  /** §1.3: `{id, type:"authorization", data:{token:"Bearer …"}, trackingId}` first. */
  private authorize(conn: Conn, frame: Record<string, unknown>): void {
    if (frame.type !== 'authorization') {
      this.deviate(conn, `Mercury ${JSON.stringify(frame.type)} frame before authorization`);
      return;
    }
    if (typeof frame.id !== 'string' || !frame.id) {
      this.deviate(conn, 'authorization frame without an id');
    }
    if (typeof frame.trackingId !== 'string' || !frame.trackingId) {
      this.deviate(conn, 'authorization frame without a trackingId');
    }
    const token = isObject(frame.data) ? frame.data.token : undefined;
    const match = typeof token === 'string' ? /^(\S+) (\S+)$/.exec(token) : null;
    if (match?.[1] !== 'Bearer') {
      this.deviate(conn, 'authorization data.token is not "Bearer <access token>"');
      conn.ws.close(4401, 'Unauthorized');
      return;
    }
    // An expired or revoked token is normal life (the client refreshes on 4401): no deviation.
    const checked = this.state.tokens.checkAccess(match[2] ?? '', this.state.now());
    if (typeof checked === 'string') {
      conn.ws.close(4401, 'Unauthorized');
      return;
    }
    const owner = this.state.wdm.get(conn.wdmDeviceId)?.userId;
    if (owner !== checked.userId) {
      this.deviate(conn, "authorization token is not the WDM device owner's");
      conn.ws.close(4403, 'Forbidden');
      return;
    }
    conn.userId = checked.userId;
    conn.authorized = true;
    const id = newUuid();
    conn.unacked.set(id, 'buffer_state');
    this.send(conn, {
      id,
      data: { eventType: 'mercury.buffer_state' },
      timestamp: this.state.now(),
    });
    // Make-before-break (§1.4): the socket this one replaces is closed with 4001.
    for (const old of this.conns) {
      if (old !== conn && old.shuttingDown && old.wdmDeviceId === conn.wdmDeviceId) {
        old.ws.close(4001, 'replaced after shutdown');
      }
    }
  }

  private ping(conn: Conn, frame: Record<string, unknown>): void {
    conn.pings++;
    if (typeof frame.id !== 'string' || !frame.id) {
      this.deviate(conn, 'ping without an id');
      return;
    }
    for (const key of [conn.userId ?? '', '']) {
      const skip = this.pongsToSkip.get(key) ?? 0;
      if (skip > 0) {
        this.pongsToSkip.set(key, skip - 1);
        return;
      }
    }
    conn.pongs++;
    conn.unacked.set(frame.id, 'pong');
    this.send(conn, { type: 'pong', id: frame.id });
  }

  /** `{messageId, type:"ack"}` for a frame this server sent and has not seen acked. */
  private ack(conn: Conn, frame: Record<string, unknown>): void {
    const id = frame.messageId;
    if (typeof id !== 'string' || !conn.unacked.has(id)) {
      this.deviate(conn, `ack for an unknown or already acked id ${JSON.stringify(id)}`);
      return;
    }
    conn.unacked.delete(id);
    conn.acks++;
  }

  private send(conn: Conn, frame: unknown): void {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(JSON.stringify(frame));
  }

  private deviate(where: Conn | URL, reason: string): void {
    const path = where instanceof URL ? redactedPath(where) : where.path;
    this.state.log.deviate({ at: this.state.now(), method: 'WS', path, server: 'base', reason });
  }
}
