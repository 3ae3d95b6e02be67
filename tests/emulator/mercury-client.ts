/** A §1 Mercury client for the emulator's own tests: handshake, acks, and waiting for frames. */
import { WebSocket } from 'ws';

export type Frame = Record<string, unknown> & {
  id?: string;
  type?: string;
  data?: Record<string, unknown>;
};

export const MERCURY_QUERY =
  'outboundWireFormat=text&bufferStates=true&aliasHttpStatus=true&clientTimestamp=1';

export class TestMercury {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | undefined;
  private readonly waiters = new Set<() => void>();
  /** Acknowledge every frame that has an id (§1.4), unless a test turns it off. */
  autoAck = true;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      if (this.autoAck && typeof frame.id === 'string')
        this.send({ messageId: frame.id, type: 'ack' });
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  static async open(url: string, query = MERCURY_QUERY): Promise<TestMercury> {
    const ws = new WebSocket(query ? `${url}?${query}` : url);
    const client = new TestMercury(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Opens, authorizes and waits for buffer_state (what the SDK calls "online"). */
  static async connect(url: string, token: string): Promise<TestMercury> {
    const client = await TestMercury.open(url);
    client.authorize(token);
    await client.next((f) => f.data?.eventType === 'mercury.buffer_state');
    return client;
  }

  authorize(token: string, scheme = 'Bearer'): void {
    this.send({
      id: crypto.randomUUID(),
      type: 'authorization',
      data: { token: `${scheme} ${token}` },
      trackingId: `webex-js-sdk_${crypto.randomUUID()}_1`,
    });
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** The first frame (already received or to come) that passes `test`. */
  next(test: (f: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
    return this.until(() => this.frames.find(test), 'a frame', timeoutMs);
  }

  /** A Mobius event envelope of this eventType (and more checks). */
  event(eventType: string, test: (f: Frame) => boolean = () => true): Promise<Frame> {
    return this.next((f) => f.data?.eventType === eventType && test(f));
  }

  whenClosed(timeoutMs = 3000): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closed, 'close', timeoutMs);
  }

  close(): void {
    this.ws.terminate();
  }

  until<T>(probe: () => T | undefined, what: string, timeoutMs = 3000): Promise<T> {
    const found = probe();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (value === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`mercury client: timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
