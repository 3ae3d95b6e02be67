/**
 * What the offscreen document runs (reference/mobius-calls.md §7.3): Mercury for the registered
 * line, the call machine, and the view the service worker shows. Browser APIs arrive as ports
 * (socket, media, ringtone, the worker's messages), so this is testable on a fake clock. The
 * worker owns registration and tokens; this asks it for the line and for a token, never
 * refreshes one itself (a second refresher would spend a rotated refresh token twice).
 */
import type {
  CallCommand,
  CallingView,
  EndedCallView,
  HeldCall,
  LineForCalls,
  MicPermission,
  RingReadiness,
} from '../messaging/calls';
import type { CallSpec } from '../webex/calls';
import { commandEvent, READS_MIC_FIRST } from './command-event';
import type { CallsAppDeps } from './document-ports';
import { CallInterpreter } from './interpreter';
import { MercuryClient, type MercuryStatus } from './mercury-client';
import { type CallTarget, endOrphans, heldCalls } from './orphans';
import { sendAuthorized } from './requests';
import { type CallTiming, callTimingFrom } from './timing';
import type { CallNotice, CallRecord, RequestOutcome } from './types';
import { callViews, endedView } from './views';

/** Rings here: a ringing call not already being answered (call waiting holds the other first). */
const ringsHere = (record: CallRecord) =>
  record.state === 'ringing' && record.answerAfterHold === null;

export class CallsApp {
  private line: LineForCalls | null = null;
  private mercury: MercuryClient | null = null;
  private readonly interpreter: CallInterpreter;
  private ring: RingReadiness = 'off';
  private detail: string | undefined;
  private mic: MicPermission = 'unknown';
  private lastEnded: EndedCallView | null = null;
  private readonly muted = new Set<string>();
  private token: string | null = null;
  private wasOnline = false;
  private lineKey: string | null = null;
  private readonly endingOrphans = new Set<string>();
  /** The calls as last published, so a transition that changes nothing shown says nothing. */
  private publishedCalls = '';
  /** One object the interpreter reads on every transition; a new line may bring overrides. */
  private readonly timing: CallTiming = callTimingFrom(undefined);

  constructor(private readonly deps: CallsAppDeps) {
    this.interpreter = new CallInterpreter({
      clock: deps.clock,
      random: deps.random,
      timers: deps.timers,
      timing: this.timing,
      micUsable: () => this.mic === 'granted',
      isOurDevice: (deviceId) => deviceId === this.line?.deviceId,
      send: (spec) => this.send(spec),
      media: (key, command) => deps.media.run(key, command),
      notify: (notice) => this.notice(notice),
      changed: () => this.callsChanged(),
      log: (line) => deps.log(`calls: ${line}`),
    });
  }

  /**
   * The worker's word that the line may have changed: re-read it only for a key not seen yet
   * (the worker says it once per wake too); else look again at the microphone alone.
   */
  async lineChanged(key: string): Promise<CallingView> {
    if (key === this.lineKey) {
      const mic = await this.deps.media.micPermission().catch(() => this.mic);
      if (mic === this.mic) return this.view();
      this.mic = mic;
      return this.publish();
    }
    this.lineKey = key;
    await this.refresh();
    return this.view();
  }

  /** (Re)read the line from the worker; connect, reconnect or stop to match it. */
  async refresh(): Promise<void> {
    this.mic = await this.deps.media.micPermission().catch(() => 'unknown' as const);
    const line = await this.deps.worker.line().catch(() => null);
    void this.endOrphans(line?.orphans);
    const same =
      line &&
      this.line &&
      line.deviceId === this.line.deviceId &&
      line.webSocketUrl === this.line.webSocketUrl &&
      line.serverUrl === this.line.serverUrl;
    if (same) {
      // The same line (Mercury and the calls go on); the call preferences may be new.
      this.line = line;
      this.applyPreferences();
      this.publish();
      return;
    }
    // Calls held on the old line end with it (they are its device's; requests still go there).
    await this.endAll();
    this.mercury?.stop();
    this.mercury = null;
    this.wasOnline = false;
    this.line = line;
    this.applyPreferences();
    Object.assign(this.timing, callTimingFrom(line?.callTiming));
    if (!line) {
      this.ring = 'off';
      this.publish();
      return;
    }
    this.ring = 'connecting';
    this.mercury = new MercuryClient({
      clock: this.deps.clock,
      random: this.deps.random,
      timers: this.deps.timers,
      openSocket: this.deps.openSocket,
      webSocketUrl: () => line.webSocketUrl,
      authorization: async (force) => {
        const token = await this.deps.worker.token(force ? (this.token ?? undefined) : undefined);
        this.token = token;
        if (token === null) throw new Error('No token for Mercury');
        return token;
      },
      trackingId: () => `webex-line-extension_${this.deps.random.uuid()}`,
      onStatus: (status) => this.mercuryStatus(status),
      onEvent: (eventType, data) => void this.interpreter.mercury(eventType, data),
    });
    this.mercury.start();
    this.publish();
  }

  async command(command: CallCommand): Promise<CallingView> {
    if (command.kind === 'mute') {
      if (command.muted) this.muted.add(command.key);
      else this.muted.delete(command.key);
      this.deps.media.setMuted(command.key, command.muted);
    } else {
      const line = this.line;
      if (command.kind === 'dial' && !line)
        throw new Error('The line is not registered here: no call can be placed.');
      if (READS_MIC_FIRST.has(command.kind)) {
        this.mic = await this.deps.media.micPermission().catch(() => this.mic);
      }
      // Only a dial reads the device, and a dial has a line (checked above).
      await this.interpreter.dispatch(commandEvent(command, line?.deviceId ?? ''));
    }
    this.ringtoneFollowsCalls();
    return this.publish();
  }

  /** Stop Mercury and end every call (the document is closing). */
  async stop(): Promise<void> {
    await this.endAll();
    this.mercury?.stop();
    this.mercury = null;
  }

  /** A ringing call is declined (this device's leg only), any other hung up. */
  private async endAll(): Promise<void> {
    for (const record of this.records()) {
      const kind = record.state === 'ringing' ? 'decline' : 'hangup';
      await this.command({ kind, key: record.key });
    }
  }

  /**
   * The line's call preferences: volume and devices for what plays next (and the call audio
   * now); ring turned off silences a ringing call, turned on makes it ring.
   */
  private applyPreferences(): void {
    const line = this.line;
    if (!line) return;
    this.deps.ringtone.configure({ volume: line.ringVolume, device: line.devices.ringer });
    this.deps.media.configure({
      microphone: line.devices.microphone,
      speaker: line.devices.speaker,
    });
    // No call ringing: no ringtone playing (ringtoneFollowsCalls), nothing to change.
    if (!this.records().some(ringsHere)) return;
    if (line.ring) this.deps.ringtone.start();
    else this.deps.ringtone.stop();
  }

  /** The ringtone plays while a call rings here, and only then (Answer stops it at once). */
  private ringtoneFollowsCalls(): void {
    if (!this.records().some(ringsHere)) this.deps.ringtone.stop();
  }

  /** A Mercury event or an outcome changed a call (progress, hold, …): say so once it settles. */
  private callsChanged(): void {
    queueMicrotask(() => {
      const calls = JSON.stringify(callViews(this.records(), this.muted));
      if (calls === this.publishedCalls) return;
      this.ringtoneFollowsCalls();
      this.publish();
    });
  }

  view(): CallingView {
    const calls = callViews(this.records(), this.muted);
    return {
      ring: this.ring,
      mic: this.mic,
      calls,
      lastEnded: this.lastEnded,
      ...(this.detail ? { detail: this.detail } : {}),
      at: this.deps.clock.now(),
    };
  }

  private records(): CallRecord[] {
    return Object.values(this.interpreter.calls.calls);
  }

  private mercuryStatus(status: MercuryStatus): void {
    if (status.kind === 'online') {
      this.ring = 'ready';
      this.detail = undefined;
      // Back after a drop: every call checks its status at Mobius (§1.5).
      if (this.wasOnline) void this.interpreter.dispatch({ kind: 'mercuryOnline' });
      this.wasOnline = true;
    } else {
      this.ring = status.action === 'stop' ? 'off' : 'connecting';
      this.detail = `Mercury closed (${status.code}${status.reason ? ` ${status.reason}` : ''})`;
    }
    this.publish();
  }

  private notice(notice: CallNotice): void {
    if (notice.kind === 'incoming') {
      // After the worker has the call: a document's first AudioContext took ~300 ms to make
      // (bench measure 8), and the notification must not wait behind it.
      this.deps.timers.set(0, () => {
        const ringing = this.records().some(ringsHere);
        if (ringing && this.line?.ring) this.deps.ringtone.start();
      });
    }
    if (notice.kind === 'ended') {
      this.muted.delete(notice.key);
      this.lastEnded = endedView(notice, this.deps.clock.now());
    }
    this.ringtoneFollowsCalls();
    // The notice is emitted inside the transition: publish once the records are updated.
    queueMicrotask(() => this.publish());
  }

  private publish(): CallingView {
    const view = this.view();
    this.publishedCalls = JSON.stringify(view.calls);
    this.deps.worker.update(view, heldCalls(this.records(), this.line));
    return view;
  }

  /** Once at a time per orphan: a second line read while the first DELETE runs sends none. */
  private async endOrphans(given: HeldCall[] | undefined): Promise<void> {
    const orphans = (given ?? []).filter((orphan) => !this.endingOrphans.has(orphan.key));
    if (!orphans.length) return;
    for (const orphan of orphans) this.endingOrphans.add(orphan.key);
    try {
      const done = await endOrphans(orphans, (target, spec) => this.sendTo(target, spec));
      this.deps.log(`calls: ${done.length} of ${orphans.length} calls of a lost document ended`);
      if (done.length) this.deps.worker.orphansEnded(done);
    } finally {
      for (const orphan of orphans) this.endingOrphans.delete(orphan.key);
    }
  }

  private send(spec: CallSpec): Promise<RequestOutcome> {
    const line = this.line;
    if (!line)
      return Promise.resolve({ ok: false, message: 'The line is no longer registered here.' });
    return this.sendTo(line, spec);
  }

  private sendTo(target: CallTarget, spec: CallSpec): Promise<RequestOutcome> {
    const { fetch, random, worker } = this.deps;
    const token = async (rejected?: string) => {
      const authorization = await worker.token(rejected);
      this.token = authorization ?? this.token;
      return authorization;
    };
    return sendAuthorized({ fetch, random, token }, target, spec);
  }
}
