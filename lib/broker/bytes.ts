/** Bounded reading of a web stream: a broker never buffers more than it is willing to relay. */

/**
 * The stream's bytes, or null past `maxBytes`. On overflow, `cancel` closes the stream; `release`
 * only stops reading (a Node request body cancelled early takes its socket, and the 413, with it).
 */
export async function readCapped(
  stream: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  onOverflow: 'cancel' | 'release',
): Promise<Uint8Array | null> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // Not awaited: a teed body's cancel settles only when every branch is cancelled.
      if (onOverflow === 'cancel') reader.cancel().catch(() => {});
      else reader.releaseLock();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
