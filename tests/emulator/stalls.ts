/** A response left hanging: an HTTP response, or an in-process body stream. */
export interface Stalled {
  /** Cuts it: the client sees its connection end. */
  destroy(): void;
}

/**
 * Responses a `stall` fault left hanging (headers sent, body never finished). They end when the
 * client gives up, the listener goes down, or the emulator resets or closes (here).
 */
export class StalledResponses {
  private readonly open = new Set<Stalled>();

  /** Holds `stalled`; call the function returned when it closed by itself. */
  hold(stalled: Stalled): () => void {
    this.open.add(stalled);
    return () => this.open.delete(stalled);
  }

  get count(): number {
    return this.open.size;
  }

  /** Cuts every stalled response's connection; returns how many there were. */
  releaseAll(): number {
    const count = this.open.size;
    for (const stalled of this.open) stalled.destroy();
    this.open.clear();
    return count;
  }
}
