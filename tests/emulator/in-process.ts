/**
 * The emulator without sockets: the same state, routes, rules, fault injection and request log
 * as `startEmulator`, answered through a `fetch` that calls the dispatcher directly. A test that
 * runs on fake timers (the simulation in tests/sim/) drives it with its own clock. The URL's
 * origin picks the server (base, Mobius primary, Mobius backup); any other origin, or a server
 * that is down, fails as a refused connection does (TypeError). A `reset` fault rejects the
 * same way; a `stall` answers the status line and headers and a body that never ends. Redirects
 * are not followed (a 302 is the answer). Mercury and calls need sockets: not here.
 */
import type { Fetch } from '../../lib/ports';
import type { ServerSwitch } from './controls';
import { closeParts, createParts, type EmulatorCore, emulatorUrls, wireParts } from './core';
import { bodyHeaders, isBodyless, type Outcome, stalledHeaders, stalledPrefix } from './dispatcher';
import type { EmulatorState } from './state';
import type { EmulatorOptions, ServerName } from './types';

export interface InProcessOptions extends Pick<EmulatorOptions, 'clock' | 'config' | 'log'> {
  /** The origins (scheme://host[:port]) the three servers answer at. */
  urls: Record<ServerName, string>;
}

export interface InProcessEmulator extends EmulatorCore {
  /** Everything the emulator knows (its rule modules' stores), for checks beyond the helpers. */
  readonly state: EmulatorState;
  /** `fetch` against this emulator (see the module comment). */
  readonly fetch: Fetch;
}

const networkError = () => new TypeError('fetch failed');

/** One server's reachability, and the requests and stalled bodies a `down` cuts. */
class InProcessServer implements ServerSwitch {
  isUp = true;
  readonly port: number;
  private readonly open = new Set<(error: Error) => void>();

  constructor(origin: string) {
    this.port = Number(new URL(origin).port) || 0;
  }

  async up(): Promise<void> {
    this.isUp = true;
  }

  async down(): Promise<void> {
    this.isUp = false;
    for (const cut of [...this.open]) cut(networkError());
    this.open.clear();
  }

  /** A request or stalled body on this server; `cut` runs when the server goes down. */
  track(cut: (error: Error) => void): () => void {
    this.open.add(cut);
    return () => this.open.delete(cut);
  }
}

export function createInProcessEmulator(options: InProcessOptions): InProcessEmulator {
  const urls = emulatorUrls(options.urls.base, options.urls.primary, options.urls.backup);
  const parts = createParts(options, urls);
  // Every answer is dated by the emulator's clock, as Node's HTTP server dates the HTTP
  // emulator's (RFC 9110 §6.6.1): a Retry-After date is read against it.
  const dated = () => ({ Date: new Date(parts.state.now()).toUTCString() });
  const servers: Record<ServerName, InProcessServer> = {
    base: new InProcessServer(urls.base),
    primary: new InProcessServer(urls.primary),
    backup: new InProcessServer(urls.backup),
  };
  const { core } = wireParts(parts, servers, () => closeParts(parts, servers));
  const byOrigin = new Map<string, ServerName>(
    (Object.keys(servers) as ServerName[]).map((name) => [new URL(urls[name]).origin, name]),
  );

  const fetch: Fetch = async (input, init) => {
    const request = new Request(input, init);
    const signal = request.signal;
    const url = new URL(request.url);
    const name = byOrigin.get(url.origin);
    const server = name ? servers[name] : undefined;
    if (!name || !server?.isUp) throw networkError();
    const body = Buffer.from(await request.arrayBuffer());
    if (signal.aborted) throw signal.reason;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    // The connection: cut by the server going down or the caller aborting.
    let cut: (error: unknown) => void = () => {};
    let gone = false;
    const cutOff = new Promise<never>((_, reject) => {
      cut = (error) => {
        gone = true;
        reject(error);
      };
    });
    const untrack = server.track(cut);
    const onAbort = () => cut(signal.reason);
    signal.addEventListener('abort', onAbort);
    const done = () => {
      untrack();
      signal.removeEventListener('abort', onAbort);
    };
    let outcome: Outcome;
    try {
      outcome = await Promise.race([
        parts.dispatcher.answer({
          server: name,
          method: request.method,
          target: `${url.pathname}${url.search}`,
          headers,
          body,
          remoteAddress: '127.0.0.1',
          gone: () => gone,
        }),
        cutOff,
      ]);
    } catch (error) {
      done();
      throw error;
    }
    if (outcome.kind !== 'stall') done();
    switch (outcome.kind) {
      case 'reset':
      case 'gone':
        throw networkError();
      case 'answer': {
        const { reply } = outcome;
        const text = isBodyless(reply.status) ? null : (reply.body ?? null);
        return new Response(text, {
          status: reply.status,
          headers: { ...dated(), ...bodyHeaders(reply, outcome.headers) },
        });
      }
      case 'stall': {
        const { reply } = outcome;
        // A status without a body (204) cannot carry a stream: the answer itself never comes.
        if (isBodyless(reply.status)) return cutOff;
        const first = stalledPrefix(reply, outcome.afterBytes);
        let release = () => {};
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            if (first.length > 0) controller.enqueue(new Uint8Array(first));
            const end = (error: unknown) => {
              release();
              done();
              controller.error(error);
            };
            const unhold = parts.state.stalls.hold({ destroy: () => end(networkError()) });
            const untrackBody = server.track(end);
            cut = end;
            release = () => {
              unhold();
              untrackBody();
            };
          },
          cancel() {
            release();
            done();
          },
        });
        return new Response(stream, {
          status: reply.status,
          headers: { ...dated(), ...stalledHeaders(reply, outcome.headers) },
        });
      }
    }
  };

  // Onto `core` itself: a spread would copy the live `config` getter's value.
  return Object.assign(core, { state: parts.state, fetch });
}
