/**
 * The offscreen document (reference/mobius-calls.md §7.3): a thin shell that wires the browser's
 * WebSocket, WebRTC, audio and runtime messaging to lib/call/calls-app.ts. The service worker
 * creates it while the line is registered; it asks the worker for the line and tokens.
 */
import { browser } from 'wxt/browser';
import { CallsApp } from '../../lib/call/calls-app';
import type { SocketLike } from '../../lib/call/mercury-client';
import { watchWallClock } from '../../lib/call/wall-clock-watch';
import type {
  OffscreenRequestMap,
  OffscreenRequestType,
  ToOffscreen,
} from '../../lib/messaging/calls';
import { type RuntimeLike, sendRequest } from '../../lib/messaging/transport';
import { cryptoRandom } from '../../lib/platform/random';
import { synthesisedRingtone } from '../../lib/platform/ringtone';
import { webrtcMedia } from '../../lib/platform/webrtc-media';

const runtime = browser.runtime as unknown as RuntimeLike;
const ask = <T extends OffscreenRequestType>(type: T, payload: OffscreenRequestMap[T][0]) =>
  sendRequest(runtime, type, payload) as Promise<OffscreenRequestMap[T][1]>;

function openSocket(url: string): SocketLike {
  const socket = new WebSocket(url);
  const port: SocketLike = {
    send: (text) => socket.send(text),
    close: (code, reason) => socket.close(code, reason),
    onopen: null,
    onmessage: null,
    onclose: null,
  };
  socket.onopen = () => port.onopen?.();
  socket.onmessage = (event) => port.onmessage?.(String(event.data));
  socket.onclose = (event) => port.onclose?.(event.code, event.reason);
  return port;
}

const log = (line: string) => console.info(line);
const timers = {
  set: (ms: number, fire: () => void) => setTimeout(fire, ms),
  clear: (handle: unknown) => clearTimeout(handle as number),
};
const media = webrtcMedia((line) => log(`media: ${line}`));
const ringtone = synthesisedRingtone((line) => log(`ringtone: ${line}`));
const app = new CallsApp({
  clock: { now: () => Date.now() },
  random: cryptoRandom,
  timers,
  fetch: (input, init) => fetch(input, init),
  openSocket,
  worker: {
    line: () => ask('offscreen/line', {}),
    token: async (rejected) =>
      (await ask('offscreen/token', rejected ? { rejected } : {}).catch(() => null))
        ?.authorization ?? null,
    update: (view, held) => void ask('offscreen/update', { view, held }).catch(() => undefined),
    orphansEnded: (keys) => void ask('offscreen/orphansEnded', { keys }).catch(() => undefined),
  },
  media,
  ringtone,
  log,
});

browser.runtime.onMessage.addListener((message: unknown) => {
  const to = message as ToOffscreen | undefined;
  if (to?.target !== 'offscreen') return undefined;
  switch (to.kind) {
    case 'command':
      return app.command(to.command);
    case 'lineChanged':
      return app.lineChanged(to.key);
    case 'probe':
      if (import.meta.env.MODE === 'production') return undefined;
      return media.levels().then((levels) => ({
        levels,
        open: media.open(),
        ringtone: ringtone.playing(),
        view: app.view(),
      }));
  }
});

// A clock set back delays Chrome's alarms, a stopped worker's keepalives among them: tell the
// worker (the message wakes a stopped one) when the wall clock jumps, and it reconciles.
watchWallClock({
  wall: () => Date.now(),
  elapsed: () => performance.now(),
  timers,
  onJump: (ms) => {
    log(`the wall clock jumped ${ms} ms: waking the service worker`);
    void ask('offscreen/clockJumped', { jumpMs: ms }).catch(() => undefined);
  },
});

void app.refresh();
