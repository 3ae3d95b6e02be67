/**
 * Calls as the UI sees them, and the messages between the service worker and the offscreen
 * document that owns Mercury, the calls and their media (reference/mobius-calls.md §7.3).
 *
 * Who may send what (checked by the background on every message):
 * - the offscreen document (our own `offscreen.html`, no tab): `offscreen/*` only;
 * - extension pages (popup, options): `calls/*` commands, relayed to the document;
 * - content scripts: nothing here; a page may ask to place a call (`page/call`, confirmed in the
 *   extension's own window) and learns only that call's state, through its page status.
 */

import { dialledNumber, keypadTones } from '../call/dial-number';
import { type CallDevices, type CallPreferences, callPreferencesDigest } from '../call-preferences';

/** Whether the registered line can ring here, and if not, why. */
export type RingReadiness =
  /** Mercury is connected: Mobius can offer this browser a call. */
  | 'ready'
  /** Opening or re-opening Mercury (after a drop, a worker or document restart). */
  | 'connecting'
  /** This browser cannot hold calls (no offscreen documents: Firefox). */
  | 'unsupported'
  /** Not registered, or signed out: nothing to ring. */
  | 'off';

/** The microphone permission of the extension's origin, as the document last saw it. */
export type MicPermission = 'granted' | 'prompt' | 'denied' | 'unknown';

export type CallViewState =
  /** Incoming, alerting here. */
  | 'ringing'
  /** Incoming, Answer clicked: microphone and media being set up. */
  | 'answering'
  /** Outgoing, the setup POST sent, no progress yet. */
  | 'dialing'
  /** Outgoing, the callee's phone rings (`mobius.callprogress`); early media may play. */
  | 'ringback'
  | 'connected';

export interface CallView {
  key: string;
  state: CallViewState;
  direction: 'inbound' | 'outbound';
  /** The other party: the caller of an incoming call, the callee of an outgoing one. */
  callerName?: string;
  callerNumber?: string;
  /** The call arrived (ms since epoch). */
  since: number;
  connectedAt: number | null;
  muted: boolean;
  /** On hold (Mobius confirmed it with `midCallService` HELD). */
  held: boolean;
  /** A hold or resume was asked and Mobius has not confirmed it yet (SDK: 10 s). */
  holdPending?: 'hold' | 'resume';
  /** The callee's network plays audio before the answer (`inbandMedia`). */
  earlyMedia?: boolean;
  /** A blind transfer was asked; the call ends when Mobius has moved it. */
  transferPending?: boolean;
  /**
   * The last mid-call service that failed, the call going on (SDK hold_error, resume_error,
   * transfer_error; a keypad tone that could not be sent): a plain sentence to show.
   */
  error?: { kind: 'hold' | 'resume' | 'transfer' | 'digits'; detail: string };
  /** It rang while no microphone was usable: Answer is not offered. */
  micBlocked: boolean;
}

/** A call that ended, kept for the "missed call" notice and the popup's last line. */
export interface EndedCallView {
  key: string;
  reason: string;
  callerName?: string;
  callerNumber?: string;
  at: number;
  /** The user had no chance to take it here (missed, busy, microphone blocked): inbound only. */
  missed: boolean;
  /** Absent in views saved before calls could be placed: read as inbound. */
  direction?: 'inbound' | 'outbound';
  /**
   * Why it ended, in plain words, when it failed or was refused (the SDK's sentence for a Mobius
   * error: "Called user is busy.", the microphone, a timeout).
   */
  detail?: string;
}

export interface CallingView {
  ring: RingReadiness;
  mic: MicPermission;
  calls: CallView[];
  lastEnded: EndedCallView | null;
  /** Why the document is not ready, in plain words (a close reason, a failed open). */
  detail?: string;
  at: number;
}

export const NO_CALLING: CallingView = {
  ring: 'off',
  mic: 'unknown',
  calls: [],
  lastEnded: null,
  at: 0,
};

/**
 * A call is in progress here: any call the view lists, ringing, answering or connected (an
 * ended one moves to `lastEnded`). Ringing counts: a failback or re-registration would delete
 * the device it rings on (the SDK's active calls include incoming ones too).
 */
export const callsInProgress = (view: Pick<CallingView, 'calls'>): boolean => view.calls.length > 0;

/** What the user can ask of a call (popup, notification buttons, keyboard). */
export type CallCommand =
  | { kind: 'answer'; key: string }
  | { kind: 'decline'; key: string }
  | { kind: 'hangup'; key: string }
  | { kind: 'mute'; key: string; muted: boolean }
  /**
   * Place a call. `key` is chosen by the worker (never by a page): it becomes the call's
   * `correlationId`, and lets whoever asked follow that call and no other.
   */
  | { kind: 'dial'; key: string; number: string }
  | { kind: 'hold'; key: string; held: boolean }
  /** Keypad tones in a connected call (RFC 4733, as `insertDTMF`). */
  | { kind: 'digits'; key: string; digits: string }
  /** Blind transfer of a connected call to a number. */
  | { kind: 'transfer'; key: string; to: string };

/** What the document needs to connect: the registered device, where it lives. */
export interface LineForCalls {
  /** Mobius device id (calls are offered to it). */
  deviceId: string;
  /** `…/calling/web/` of the server the line is registered with. */
  serverUrl: string;
  /** The WDM device url (`cisco-device-url`). */
  clientDeviceUri: string;
  /** The WDM device's `webSocketUrl`, already checked against the session's environment. */
  webSocketUrl: string;
  /** The ringtone plays (the options page's "Ring in this browser"). */
  ring: boolean;
  /** Ringtone volume, 0 to 1. */
  ringVolume: number;
  /** Audio devices ('' = the browser's default): the microphone, the call's and the ring's output. */
  devices: CallDevices;
  /** Development builds only: call timer overrides (`callRingMs`, …; lib/call/timing.ts). */
  callTiming?: Record<string, number>;
  /** Calls a lost document held: end them at Mobius, then say so (`offscreen/orphansEnded`). */
  orphans?: HeldCall[];
}

/**
 * A call the document holds, as much as another document needs to end it at Mobius should this
 * one be lost (closed, its renderer crashed, the browser quit mid-call): no ghost calls.
 */
export interface HeldCall {
  key: string;
  callId: string;
  deviceId: string;
  serverUrl: string;
  clientDeviceUri: string;
  /** Answered here: it must be ended (a ringing one is left to ring on the user's other devices). */
  answered: boolean;
}

/** Offscreen document -> service worker. */
export interface OffscreenRequestMap {
  /** The line to serve, or null when there is none (the document then closes itself). */
  'offscreen/line': [Record<string, never>, LineForCalls | null];
  /** `Bearer …` for a Mobius or Mercury request; `rejected` is a token a server just refused. */
  'offscreen/token': [{ rejected?: string }, { authorization: string }];
  /** The document's view changed (Mercury, a call, the microphone), and the calls it holds. */
  'offscreen/update': [{ view: CallingView; held?: HeldCall[] }, Record<string, never>];
  /** These orphans (by key) are ended at Mobius (or were already gone there). */
  'offscreen/orphansEnded': [{ keys: string[] }, Record<string, never>];
  /**
   * The wall clock jumped against elapsed time (lib/call/wall-clock-watch.ts): Chrome's alarms
   * follow the wall clock, so the line's timers are re-derived now.
   */
  'offscreen/clockJumped': [{ jumpMs: number }, Record<string, never>];
}

export type OffscreenRequestType = keyof OffscreenRequestMap;

export const OFFSCREEN_REQUESTS: readonly OffscreenRequestType[] = [
  'offscreen/line',
  'offscreen/token',
  'offscreen/update',
  'offscreen/orphansEnded',
  'offscreen/clockJumped',
];

/** Service worker -> offscreen document (runtime messages addressed by `target`). */
export type ToOffscreen =
  | { target: 'offscreen'; kind: 'command'; command: CallCommand }
  /**
   * The line may have changed (registered elsewhere, a new device): re-read it unless `key`
   * (lineKey) is the one the document last read it for.
   */
  | { target: 'offscreen'; kind: 'lineChanged'; key: string }
  /** Development builds: the offscreen document's audio levels, for end-to-end tests. */
  | { target: 'offscreen'; kind: 'probe' };

export const OFFSCREEN_PATH = '/offscreen.html';

/**
 * What the document's line depends on, as one string: the Mobius device and its server, and the
 * user's call preferences. A keepalive, a reconnecting spell on the same server or a new token
 * leave it alone, so they cost the document nothing; a failover, a new registration or a
 * sign-out change it, and so does a changed preference (the document re-reads the line, sees
 * the same device and keeps Mercury and its calls, and applies the preferences).
 */
export const lineKey = (
  snapshot: {
    auth: string;
    line: { mobiusDeviceId?: string; lineId: string } | null;
    server: { url: string } | null;
  },
  prefs?: CallPreferences,
): string =>
  [
    snapshot.auth,
    snapshot.line?.mobiusDeviceId ?? '',
    snapshot.server?.url ?? '',
    ...(prefs ? [callPreferencesDigest(prefs)] : []),
  ].join(' ');

const KEY = /^[\w-]{1,100}$/;

/**
 * A command from a page's message, or the reason it is not one (never trust its shape). A dial
 * gets its key from `newKey`: whatever key the message carries is ignored.
 */
export function parseCallCommand(input: unknown, newKey: () => string): CallCommand | string {
  if (typeof input !== 'object' || input === null) return 'command must be an object.';
  const { kind, key, muted, held, number, digits, to } = input as Record<string, unknown>;
  if (kind === 'dial') {
    if (typeof number !== 'string') return 'command.number must be a string.';
    const dialled = dialledNumber(number);
    return dialled.ok ? { kind, key: newKey(), number: dialled.number } : dialled.reason;
  }
  if (typeof key !== 'string' || !KEY.test(key)) return 'command.key is not a call key.';
  switch (kind) {
    case 'answer':
    case 'decline':
    case 'hangup':
      return { kind, key };
    case 'mute':
      if (typeof muted !== 'boolean') return 'command.muted must be true or false.';
      return { kind, key, muted };
    case 'hold':
      if (typeof held !== 'boolean') return 'command.held must be true or false.';
      return { kind, key, held };
    case 'digits': {
      const tones = typeof digits === 'string' ? keypadTones(digits) : null;
      if (tones === null) return 'command.digits must be 1 to 32 of 0-9 * # A-D.';
      return { kind, key, digits: tones };
    }
    case 'transfer': {
      if (typeof to !== 'string') return 'command.to must be a string.';
      const dialled = dialledNumber(to);
      return dialled.ok ? { kind, key, to: dialled.number } : dialled.reason;
    }
    default:
      return 'command.kind must be answer, decline, hangup, mute, dial, hold, digits or transfer.';
  }
}
