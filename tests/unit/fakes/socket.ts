import type { SocketLike } from '../../../lib/call/mercury-client';
import type { FakeClock } from './clock';

/** A Mercury WebSocket as the client sees it: frames sent are recorded, frames pushed arrive. */
export class FakeSocket implements SocketLike {
  readonly sent: Record<string, unknown>[] = [];
  closedWith: { code: number; reason: string } | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((text: string) => void) | null = null;
  onclose: ((code: number, reason: string) => void) | null = null;
  readonly openedAt: number;
  constructor(
    readonly url: string,
    clock: FakeClock,
  ) {
    this.openedAt = clock.now();
  }
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  close(code: number, reason: string) {
    this.closedWith = { code, reason };
    this.onclose?.(code, reason);
  }
  push(frame: object) {
    this.onmessage?.(JSON.stringify(frame));
  }
  ofType(type: string) {
    return this.sent.filter((frame) => frame.type === type);
  }
}
