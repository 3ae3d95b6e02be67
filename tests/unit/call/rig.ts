/**
 * A call interpreter on a fake clock with scripted Mobius answers and media, for the outgoing
 * and mid-call tests: what was sent (as HTTP requests), what media was asked, what the UI heard.
 */
import { CallInterpreter } from '../../../lib/call/interpreter';
import type {
  CallEvent,
  CallNotice,
  CallRecord,
  MediaCommand,
  RequestOutcome,
} from '../../../lib/call/types';
import { buildCallRequest, type CallSpec } from '../../../lib/webex/calls';
import { FakeClock } from '../fakes/clock';
import { FakeRandom } from '../fakes/random';
import { FakeTimers } from '../fakes/timers';

export const SERVER = 'https://mobius.example.webex.com/api/v1/calling/web/';
export const ANSWER_SDP = 'v=0\r\no=BroadWorks 1 1 IN IP4 192.0.2.9\r\nm=audio 19564 RTP/AVP 0\r\n';

export class CallRig {
  readonly clock = new FakeClock();
  readonly timers = new FakeTimers(this.clock);
  readonly sent: CallSpec[] = [];
  readonly media: MediaCommand[] = [];
  readonly notices: CallNotice[] = [];
  readonly log: string[] = [];
  micUsable = true;
  /** Scripted answers; the setup POST answers `{callId: 'call-out'}` unless told otherwise. */
  reply: (spec: CallSpec) => RequestOutcome = (spec) =>
    spec.tag === 'setup' ? { ok: true, callId: 'call-out' } : { ok: true };
  /** Scripted media; null = the command produces no event. */
  mediaReply: (key: string, command: MediaCommand) => CallEvent | null = (key, command) => {
    switch (command.kind) {
      case 'acquireMic':
        return { kind: 'micReady', key };
      case 'createOffer':
        return { kind: 'localOffer', key, sdp: 'offer-sdp' };
      case 'applyAnswer':
        return { kind: 'answerApplied', key };
      case 'answerOffer':
        return { kind: 'localAnswer', key, sdp: 'answer-sdp' };
      default:
        return null;
    }
  };
  /** Requests whose answer waits for `release` (a setup POST still out, …). */
  deferred = new Set<CallSpec['tag']>();
  private readonly held = new Map<CallSpec['tag'], (outcome: RequestOutcome) => void>();
  /** Media commands that never answer (the interpreter's deadline must). */
  hangingMedia = new Set<MediaCommand['kind']>();
  readonly calls = new CallInterpreter({
    clock: this.clock,
    random: new FakeRandom(),
    timers: this.timers,
    micUsable: () => this.micUsable,
    isOurDevice: (id) => id === 'dev-1',
    send: async (spec) => {
      this.sent.push(spec);
      if (this.deferred.has(spec.tag))
        return new Promise<RequestOutcome>((resolve) => this.held.set(spec.tag, resolve));
      return this.reply(spec);
    },
    media: (key, command) => {
      this.media.push(command);
      if (this.hangingMedia.has(command.kind)) return new Promise(() => {});
      return Promise.resolve(this.mediaReply(key, command));
    },
    notify: (notice) => this.notices.push(notice),
    log: (line) => this.log.push(line),
  });

  /** Answer a deferred request now. */
  async release(tag: CallSpec['tag'], outcome: RequestOutcome) {
    this.deferred.delete(tag);
    this.held.get(tag)?.(outcome);
    this.held.delete(tag);
    await this.timers.advance(0);
  }

  /** Dispatch without waiting for in-flight work (some of it is meant to hang). */
  async send(event: CallEvent) {
    await this.calls.dispatch(event);
    await this.timers.advance(0);
  }

  requests() {
    return this.sent.map((spec) => buildCallRequest(SERVER, spec));
  }
  deletes() {
    return this.requests().filter((r) => r.method === 'DELETE');
  }
  tags() {
    return this.sent.map((spec) => spec.tag);
  }
  mediaKinds() {
    return this.media.map((m) => m.kind);
  }
  record(key = 'k1'): CallRecord {
    const record = this.calls.calls.calls[key];
    if (!record) throw new Error(`no call ${key}`);
    return record;
  }
  has(key = 'k1'): boolean {
    return Boolean(this.calls.calls.calls[key]);
  }
  lastNotice() {
    return this.notices.at(-1);
  }
  /** The transitions' names, in order (`event -> row`). */
  rows() {
    return this.log.filter((line) => line.includes(' -> ')).map((line) => line.split(' -> ')[1]);
  }

  async do(event: CallEvent) {
    await this.calls.dispatch(event);
    await this.calls.idle();
  }
  async mercury(eventType: string, data: Record<string, unknown>) {
    await this.calls.mercury(eventType, { eventType, ...data });
    await this.calls.idle();
  }
  async advance(ms: number) {
    await this.timers.advance(ms);
    await this.calls.idle();
  }

  async dial(key = 'k1', number = '+15551234567') {
    await this.do({ kind: 'dial', key, deviceId: 'dev-1', number });
  }
  progress(key = 'k1', inbandMedia = false) {
    return this.mercury('mobius.callprogress', {
      callId: 'call-out',
      correlationId: key,
      callProgressData: { alerting: true, inbandMedia },
    });
  }
  answer(key = 'k1', seq = 1) {
    return this.mercury('mobius.media', {
      callId: 'call-out',
      correlationId: key,
      message: { messageType: 'ANSWER', seq, version: '2', sdp: ANSWER_SDP },
    });
  }
  connect(key = 'k1') {
    return this.mercury('mobius.callconnected', { callId: 'call-out', correlationId: key });
  }
  disconnect(key = 'k1', extra: Record<string, unknown> = {}) {
    return this.mercury('mobius.calldisconnected', {
      callId: 'call-out',
      correlationId: key,
      ...extra,
    });
  }
  offer(key: string, seq: number, callId = 'call-out') {
    return this.mercury('mobius.media', {
      callId,
      correlationId: key,
      message: { messageType: 'OFFER', seq, version: '2', sdp: `offer-${seq}` },
    });
  }
  ok(key: string, seq: number, callId = 'call-out') {
    return this.mercury('mobius.media', {
      callId,
      correlationId: key,
      message: { messageType: 'OK', seq, version: '2' },
    });
  }
  midCall(key: string, callState: string, callId = 'call-out') {
    return this.mercury('mobius.call', {
      callId,
      correlationId: key,
      deviceId: 'dev-1',
      midCallService: [{ eventType: 'callState', eventData: { callState } }],
    });
  }
  /** Dial, progress, ANSWER, connected: an established outgoing call. */
  async connected(key = 'k1') {
    await this.dial(key);
    await this.progress(key);
    await this.answer(key);
    await this.connect(key);
  }
}
