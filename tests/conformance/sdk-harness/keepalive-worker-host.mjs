// Runs inside a worker_threads Worker and plays the part of a browser's dedicated worker
// global scope for the SDK's keepalive script (which it ships as a string and starts from a
// Blob URL). The script only needs `self.addEventListener('message')`, `self.postMessage`,
// timers and `fetch`; `fetch` is routed through the same https -> http host map as the main
// thread so the worker talks to the emulator exactly like the page would. Each response the
// script gets is also reported on a side port so a scenario can see keepalives happen.
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ source: string, hostMap: Record<string, string>, observer: MessagePort }} */
const { source, hostMap, observer } = workerData;

const mapUrl = (input) => {
  const url = new URL(String(input));
  const target = hostMap[url.host];
  if (url.protocol !== 'https:' || target === undefined) return url.toString();
  const origin = new URL(target);
  url.protocol = origin.protocol;
  url.host = origin.host;
  return url.toString();
};

const nodeFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = typeof input === 'string' || input instanceof URL ? mapUrl(input) : input;
  const method = init?.method ?? 'GET';
  try {
    const response = await nodeFetch(url, init);
    observer.postMessage({ url: String(url), method, status: response.status });
    return response;
  } catch (error) {
    observer.postMessage({ url: String(url), method, error: String(error) });
    throw error;
  }
};

const listeners = new Set();
globalThis.self = globalThis;
globalThis.addEventListener = (type, listener) => {
  if (type === 'message') listeners.add(listener);
};
globalThis.removeEventListener = (type, listener) => {
  if (type === 'message') listeners.delete(listener);
};
globalThis.postMessage = (data) => parentPort?.postMessage(data);

// Loading the script from a data: URL is the Node equivalent of the browser loading the Blob URL.
await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);

// The port stays paused until a listener is attached, so messages the page posted before the
// script was ready are delivered now, in order, instead of being lost.
parentPort?.on('message', (data) => {
  for (const listener of listeners) listener({ data });
});
