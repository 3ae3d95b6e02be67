/**
 * The Mercury socket driver: opens the socket, authorizes, waits for buffer_state, pings and
 * watches pongs, acknowledges frames, and reconnects per the close policy and back-off of
 * lib/webex/mercury.ts. The socket and the timers are injected ports, so tests run it on a fake
 * clock against a fake socket. It emits connection status and parsed call events; it never
 * throws to its host.
 */
import type { Clock, Random } from '../ports';
import {
  ackFrame,
  authFrame,
  backoffDelay,
  type CloseAction,
  closeAction,
  mercuryUrl,
  PING_INTERVAL_MS,
  PONG_TIMEOUT_MS,
  parseFrame,
  pingFrame,
} from '../webex/mercury';

/** A WebSocket reduced to what the driver uses. */
export interface SocketLike {
  send(text: string): void;
  close(code: number, reason: string): void;
  onopen: (() => void) | null;
  onmessage: ((text: string) => void) | null;
  onclose: ((code: number, reason: string) => void) | null;
}

export interface Timers {
  set(ms: number, fire: () => void): unknown;
  clear(handle: unknown): void;
}

export type MercuryStatus =
  | { kind: 'online' }
  | { kind: 'offline'; action: CloseAction; code: number; reason: string };

export interface MercuryDeps {
  clock: Clock;
  random: Random;
  timers: Timers;
  openSocket(url: string): SocketLike;
  /** The WDM device's `webSocketUrl`, already checked with `isTrustedSocketUrl`. */
  webSocketUrl(): string;
  /** `Bearer <token>`, fresh when `forceRefresh`. */
  authorization(forceRefresh: boolean): Promise<string>;
  trackingId(): string;
  onStatus(status: MercuryStatus): void;
  onEvent(eventType: string, data: Record<string, unknown>): void;
}

/**
 * The SDK sets no deadline on open + auth + buffer_state; we choose 20 s (then close and retry
 * with back-off), the safe choice so a half-open socket cannot hold the line off Mercury.
 */
export const READY_TIMEOUT_MS = 20_000;
/** Deadline on getting a token before opening: a stalled token refresh must not stop retries. */
export const TOKEN_TIMEOUT_MS = 15_000;

export class MercuryClient {
  private socket: SocketLike | null = null;
  private opened = false;
  private stopped = true;
  private attempt = 0;
  private forceRefresh = false;
  private timer: unknown = null;
  private pendingPing: string | null = null;
  private generation = 0;

  constructor(private readonly deps: MercuryDeps) {}

  get online(): boolean {
    return this.opened;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    void this.connect();
  }

  /** `logout()`: close 1000 "Done", no reconnect. */
  stop(): void {
    this.stopped = true;
    this.generation += 1;
    this.clearTimer();
    const socket = this.socket;
    this.socket = null;
    this.opened = false;
    socket?.close(1000, 'Done');
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    const force = this.forceRefresh;
    this.forceRefresh = false;
    const authorization = await this.withDeadline(this.deps.authorization(force));
    if (generation !== this.generation || this.stopped) return;
    if (authorization === null) {
      this.closed(generation, 4401, 'token unavailable');
      return;
    }
    const socket = this.deps.openSocket(
      mercuryUrl(this.deps.webSocketUrl(), this.deps.clock.now()),
    );
    this.socket = socket;
    this.opened = false;
    this.arm(READY_TIMEOUT_MS, () => socket.close(1000, 'Idle'));
    socket.onopen = () => {
      if (generation !== this.generation) return;
      this.send(authFrame(this.deps.random.uuid(), authorization, this.deps.trackingId()));
    };
    socket.onmessage = (text) => {
      if (generation === this.generation) this.received(text);
    };
    socket.onclose = (code, reason) => this.closed(generation, code, reason);
  }

  private received(text: string): void {
    const frame = parseFrame(text);
    if ('id' in frame && frame.id !== undefined) this.send(ackFrame(frame.id));
    switch (frame.kind) {
      case 'ready':
        if (this.opened) return;
        this.opened = true;
        this.attempt = 0;
        this.deps.onStatus({ kind: 'online' });
        this.ping();
        return;
      case 'pong':
        if (this.pendingPing === null) return;
        if (frame.id !== this.pendingPing) {
          this.socket?.close(1000, 'Pong mismatch');
          return;
        }
        this.pendingPing = null;
        this.arm(PING_INTERVAL_MS, () => this.ping());
        return;
      case 'shutdown':
        // 3.12.0 switches make-before-break; we reconnect at once (break-before-make), the
        // simpler choice: a call event in the gap is redelivered from Mercury's buffer.
        this.socket?.close(1000, 'Done (forced)');
        return;
      case 'event':
        this.deps.onEvent(frame.eventType, frame.data);
        return;
      case 'ignored':
        return;
    }
  }

  private ping(): void {
    const id = this.deps.random.uuid();
    this.pendingPing = id;
    this.send(pingFrame(id));
    this.arm(PONG_TIMEOUT_MS, () => this.socket?.close(1000, 'Pong not received'));
  }

  private closed(generation: number, code: number, reason: string): void {
    if (generation !== this.generation || this.stopped) return;
    const action = closeAction(code, reason, this.opened);
    this.clearTimer();
    this.socket = null;
    this.opened = false;
    this.pendingPing = null;
    this.deps.onStatus({ kind: 'offline', action, code, reason });
    if (action === 'stop') {
      this.stopped = true;
      return;
    }
    // A device refresh is the host's job (lib/line owns WDM); the reconnect still goes ahead.
    this.forceRefresh = action === 'reauthorize';
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    this.generation += 1;
    const next = this.generation;
    this.arm(delay, () => {
      if (next === this.generation && !this.stopped) void this.connect();
    });
  }

  private send(frame: object): void {
    this.socket?.send(JSON.stringify(frame));
  }

  private arm(ms: number, fire: () => void): void {
    this.clearTimer();
    this.timer = this.deps.timers.set(ms, fire);
  }

  private clearTimer(): void {
    if (this.timer !== null) this.deps.timers.clear(this.timer);
    this.timer = null;
  }

  private withDeadline<T>(promise: Promise<T>): Promise<T | null> {
    return new Promise((resolve) => {
      const handle = this.deps.timers.set(TOKEN_TIMEOUT_MS, () => resolve(null));
      promise.then(
        (value) => {
          this.deps.timers.clear(handle);
          resolve(value);
        },
        () => {
          this.deps.timers.clear(handle);
          resolve(null);
        },
      );
    });
  }
}
