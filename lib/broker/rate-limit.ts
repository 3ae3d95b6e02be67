/**
 * Fixed-window request counting per key (a client address, an origin). A fixed window is the
 * simplest limiter whose answer a client can act on: Retry-After is the time left in it.
 */
import type { Clock } from '../ports';

interface Window {
  start: number;
  count: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class FixedWindowLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
    private readonly limit: number,
    private readonly maxKeys: number,
  ) {}

  /** Count one request for `key`; refused requests are not counted (they cost nothing upstream). */
  take(key: string): RateDecision {
    const now = this.clock.now();
    let window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      // Re-inserted, so the map's order stays oldest window first.
      this.windows.delete(key);
      this.makeRoom(now);
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.limit) {
      const leftMs = window.start + this.windowMs - now;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(leftMs / 1000)) };
    }
    window.count += 1;
    return { allowed: true };
  }

  /** Keys tracked now (for tests of the memory bound). */
  get size(): number {
    return this.windows.size;
  }

  /** Drop finished windows; if a flood of new keys still fills the map, forget the oldest. */
  private makeRoom(now: number): void {
    if (this.windows.size < this.maxKeys) return;
    for (const [key, window] of this.windows) {
      if (now - window.start >= this.windowMs) this.windows.delete(key);
    }
    while (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next();
      if (oldest.done) break;
      this.windows.delete(oldest.value);
    }
  }
}

/**
 * The key a client address is counted under. One IPv6 host usually holds a whole /64 (it may
 * use a new address per request), so IPv6 addresses count per /64; an IPv4-mapped IPv6 address
 * counts as its IPv4 address.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('%')[0]?.split('::') ?? [];
  const front = head ? head.split(':') : [];
  const back = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...front, ...Array(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back]
    : front;
  const prefix = groups.slice(0, 4).map((g) => (Number.parseInt(g || '0', 16) || 0).toString(16));
  return `${prefix.join(':')}::/64`;
}
