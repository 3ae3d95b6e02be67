/**
 * The page side of the calls conformance run: the unmodified @webex/calling 3.12.0 with the
 * unmodified @webex/internal-plugin-mercury 3.12.0 on a small `webex` host object. It connects
 * Mercury, registers the line, and takes calls; Node drives it through `window.callsSdk` and
 * hears everything it sees through the exposed report function.
 */
import { createClient, createMicrophoneStream, type ICall, type ILine } from '@webex/calling';
import * as configModule from '@webex/internal-plugin-mercury/dist/config';
import * as mercuryModule from '@webex/internal-plugin-mercury/dist/mercury';
import { capturedPeerConnections, readAudio } from './page-audio';
import {
  type IncomingCallView,
  type OutgoingCallView,
  type PageConfig,
  type PageEvent,
  REPORT_FUNCTION,
} from './page-protocol';
import { createPageWebex } from './page-webex';

/**
 * The plugin ships CommonJS (`exports.default`); the project is `type: module`, so esbuild
 * imports it the Node way, where `default` is the whole `exports` object.
 */
function cjsDefault<T>(namespace: { default: T }): T {
  const outer = namespace.default as T & { default?: T };
  return outer.default ?? outer;
}
const Mercury = cjsDefault(mercuryModule);
const mercuryConfig = cjsDefault(configModule);

type Listener = (...args: unknown[]) => void;
type Emitter = { on(event: string, listener: Listener): void };

const started = performance.now();
const seen: PageEvent[] = [];
function report(event: Omit<PageEvent, 'at'>): void {
  const entry = { at: Math.round(performance.now() - started), epochMs: Date.now(), ...event };
  seen.push(entry);
  const sink = (window as unknown as Record<string, (e: PageEvent) => void>)[REPORT_FUNCTION];
  sink?.(JSON.parse(JSON.stringify(entry)) as PageEvent);
}

const LINE_EVENTS = ['registered', 'unregistered', 'error', 'reconnecting', 'reconnected'];
const CALL_EVENTS = [
  'caller_id',
  'progress',
  'connect',
  'established',
  'disconnect',
  'call_error',
  'held',
  'resumed',
  'hold_error',
  'resume_error',
];
const MERCURY_EVENTS = [
  'online',
  'offline',
  'offline.transient',
  'offline.permanent',
  'offline.replaced',
  'event:mercury_shutdown_switchover_complete',
];

let line: ILine | undefined;
let mercury: InstanceType<typeof Mercury> | undefined;
const calls = new Map<string, ICall>();
/** Incoming calls not yet handed to Node, and Node's waits for the next one. */
const unclaimed: IncomingCallView[] = [];
const claimers: Array<(view: IncomingCallView) => void> = [];
const remoteAudio = new Audio();
remoteAudio.autoplay = true;

function waitFor(emitter: Emitter, event: string, failOn = 'error'): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    emitter.on(event, (...args) => resolve(args));
    emitter.on(failOn, (...args) => reject(new Error(`${failOn}: ${JSON.stringify(args)}`)));
  });
}

function watchCall(call: ICall): void {
  const emitter = call as unknown as Emitter;
  for (const name of CALL_EVENTS) {
    emitter.on(name, (payload) => report({ source: 'call', name, detail: String(payload) }));
  }
  emitter.on('remote_media', (track) => {
    report({ source: 'call', name: 'remote_media' });
    remoteAudio.srcObject = new MediaStream([track as MediaStreamTrack]);
    void remoteAudio
      .play()
      .catch((e) => report({ source: 'host', name: 'play-failed', detail: String(e) }));
  });
}

function onIncoming(payload: unknown): void {
  const call = payload as ICall;
  calls.set(call.getCallId(), call);
  watchCall(call);
  const info = call.getCallerInfo();
  const view: IncomingCallView = {
    callId: call.getCallId(),
    correlationId: call.getCorrelationId(),
    direction: String(call.getDirection()),
    ...(info?.name ? { callerName: info.name } : {}),
    ...(info?.num ? { callerNumber: info.num } : {}),
  };
  report({ source: 'line', name: 'incoming_call', detail: view });
  const claim = claimers.shift();
  if (claim) claim(view);
  else unclaimed.push(view);
}

async function start(config: PageConfig): Promise<{ lineStatus: string; deviceId?: string }> {
  const webex = createPageWebex(config, report);
  webex.config.mercury = { ...mercuryConfig.mercury };
  const plugin = new Mercury({}, { parent: webex });
  mercury = plugin;
  webex.internal.mercury = plugin;
  for (const name of MERCURY_EVENTS) {
    plugin.on(name, (event) =>
      report({ source: 'mercury', name, detail: (event as { code?: number })?.code }),
    );
  }
  // What the host app does before createClient (mobius-calls.md §1.1): WDM, then Mercury.
  await plugin.connect();
  const client = await createClient(webex as never, { logger: { level: 'info' as never } });
  (client as unknown as Emitter).on('callingClient:error', (e) =>
    report({ source: 'client', name: 'error', detail: String(e) }),
  );
  line = Object.values(client.getLines())[0];
  if (!line) throw new Error('createClient produced no line');
  const lineEmitter = line as unknown as Emitter;
  for (const name of LINE_EVENTS) lineEmitter.on(name, () => report({ source: 'line', name }));
  lineEmitter.on('line:incoming_call', onIncoming);
  const registered = waitFor(lineEmitter, 'registered');
  line.register();
  await registered;
  return { lineStatus: String(line.getStatus()), deviceId: line.mobiusDeviceId };
}

/** The next incoming call Node has not seen yet. */
function incoming(): Promise<IncomingCallView> {
  const ready = unclaimed.shift();
  return ready ? Promise.resolve(ready) : new Promise((resolve) => claimers.push(resolve));
}

/** A call by its callId, or an outgoing one by its correlationId (its callId changes). */
function callFor(id: string): ICall {
  const call = calls.get(id) ?? placed.get(id);
  if (!call) throw new Error(`no call ${id}`);
  return call;
}

/** Outgoing calls by correlationId: the callId is `DefaultLocalId_…` until the setup's 200. */
const placed = new Map<string, ICall>();

/** §5: `line.makeCall` then `call.dial` with the fake microphone. */
async function place(address: string): Promise<OutgoingCallView> {
  if (!line) throw new Error('not started');
  // The moment an app's Call button starts (the bench's measure 11 times from it).
  report({ source: 'line', name: 'placing', detail: address });
  const microphone = await createMicrophoneStream({ audio: true } as never);
  const call = line.makeCall({ type: 'uri' as never, address });
  if (!call) throw new Error(`makeCall refused ${address}`);
  placed.set(call.getCorrelationId(), call);
  watchCall(call);
  const view = outgoingView(call);
  report({ source: 'line', name: 'make_call', detail: view });
  await call.dial(microphone);
  return view;
}

function outgoingView(call: ICall): OutgoingCallView {
  return {
    callId: call.getCallId(),
    correlationId: call.getCorrelationId(),
    direction: String(call.getDirection()),
    held: call.isHeld(),
  };
}

const outgoing = async (correlationId: string) => outgoingView(callFor(correlationId));

async function holdResume(id: string): Promise<void> {
  callFor(id).doHoldResume();
}

/**
 * One `sendDigit` per tone, as a keypad does: each is an `insertDTMF`, which replaces tones not
 * yet played, so the next waits for the last to be out (Chrome: 100 ms tone, 70 ms gap).
 */
async function digits({ id, tones }: { id: string; tones: string[] }): Promise<void> {
  for (const tone of tones) {
    callFor(id).sendDigit(tone);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function answer(callId: string): Promise<void> {
  const microphone = await createMicrophoneStream({ audio: true } as never);
  callFor(callId).answer(microphone);
}

async function end(callId: string): Promise<void> {
  callFor(callId).end();
}

async function stop(): Promise<void> {
  if (line) {
    const gone = waitFor(line as unknown as Emitter, 'unregistered');
    await line.deregister();
    await gone;
  }
  await mercury?.disconnect();
}

const api = {
  start,
  incoming,
  answer,
  place,
  outgoing,
  holdResume,
  digits,
  audio: () => readAudio(capturedPeerConnections()),
  end,
  stop,
  events: () => seen,
};

(window as unknown as { callsSdk: typeof api }).callsSdk = api;
export type CallsSdkPage = typeof api;
