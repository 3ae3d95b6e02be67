/**
 * Serves the bundled page from its own local origin (as a web app calling Webex would be, so
 * every request to the emulator is a real cross-origin one). Before the bundle, the page
 * records each RTCPeerConnection the SDK makes (for its getStats) and gives the packages the
 * `process` global a web bundler would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const PRELUDE = `
window.process = { env: {}, browser: true, nextTick: (fn, ...args) => queueMicrotask(() => fn(...args)) };
window.__peerConnections = [];
const NativePeerConnection = window.RTCPeerConnection;
window.RTCPeerConnection = class extends NativePeerConnection {
  constructor(...args) { super(...args); window.__peerConnections.push(this); }
};
`;

const html = `<!doctype html><meta charset="utf-8"><title>calls conformance</title>
<script>${PRELUDE}</script><script src="/page.js"></script>`;

export interface PageServer {
  url: string;
  close(): Promise<void>;
}

export async function servePage(script: string): Promise<PageServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://page.invalid').pathname;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    } else if (path === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
