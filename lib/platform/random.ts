import type { Random } from '../ports';

/** Web Crypto randomness (service worker, pages and Node alike). */
export const cryptoRandom: Random = {
  uuid: () => crypto.randomUUID(),
  int(min, max) {
    const span = max - min + 1;
    const [value = 0] = crypto.getRandomValues(new Uint32Array(1));
    return min + (value % span);
  },
  bytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
};
