import type { ServerResponse } from 'node:http';

/**
 * Responses a `stall` fault left hanging (headers sent, body never finished). They end when the
 * client gives up, the listener goes down, or the emulator resets or closes (here).
 */
export class StalledResponses {
  private readonly open = new Set<ServerResponse>();

  hold(res: ServerResponse): void {
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
  }

  get count(): number {
    return this.open.size;
  }

  /** Cuts every stalled response's connection; returns how many there were. */
  releaseAll(): number {
    const count = this.open.size;
    for (const res of this.open) res.destroy();
    this.open.clear();
    return count;
  }
}
