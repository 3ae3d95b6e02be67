import { describe, expect, it } from 'vitest';
import { serialQueue } from '../../lib/serial-queue';

describe('serialQueue', () => {
  it('runs work one piece at a time, in order, even when an earlier piece is slower', async () => {
    const queue = serialQueue();
    const seen: string[] = [];
    let releaseFirst: () => void = () => {};
    const first = queue(async () => {
      seen.push('first starts');
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      seen.push('first ends');
      return 1;
    });
    const second = queue(async () => {
      seen.push('second starts');
      return 2;
    });
    await Promise.resolve();
    expect(seen).toEqual(['first starts']);
    releaseFirst();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(seen).toEqual(['first starts', 'first ends', 'second starts']);
  });

  it('gives a failure to its own caller only; the work after it still runs', async () => {
    const queue = serialQueue();
    const failing = queue(async () => {
      throw new Error('broken');
    });
    const after = queue(async () => 'still runs');
    await expect(failing).rejects.toThrow('broken');
    expect(await after).toBe('still runs');
  });
});
