/**
 * The calls' media in the offscreen document: the microphone (live only from Answer or Dial to
 * hang-up), one RTCPeerConnection per call (answering Mobius's ROAP OFFER, or making our OFFER
 * for an outgoing call and applying Mobius's ANSWER; mid-call re-offers renegotiate the same
 * connection, so a hold's direction follows Mobius's offer), keypad tones on the audio sender,
 * and the other party's audio (early media too) played where the user hears it. Implements the
 * call machine's media commands; every decision is the call table's.
 */

import { micConstraints, micFallsBack } from '../call/devices';
import type { MediaPort } from '../call/document-ports';
import type { CallEvent, MediaCommand } from '../call/types';
import type { CallDevices } from '../call-preferences';
import type { MicPermission } from '../messaging/calls';
import { chooseOutput, type SinkTarget } from './audio-output';

/** ICE gathering is done within this (SDK: at most 3 s); what was gathered by then is sent. */
const ICE_GATHERING_MS = 3_000;

interface CallMedia {
  mic?: MediaStream;
  pc?: RTCPeerConnection;
  audio?: HTMLAudioElement;
  muted: boolean;
}

export interface AudioLevels {
  key: string;
  /** What the other party sends, as played (getStats inbound-rtp). */
  inboundEnergy: number;
  inboundPackets: number;
  outboundPackets: number;
  micLive: boolean;
}

export interface WebrtcMedia extends MediaPort {
  /** Development: what each call receives and sends (end-to-end tests read it). */
  levels(): Promise<AudioLevels[]>;
  /** Calls whose media is still open (none after every hang-up). */
  open(): number;
}

export function webrtcMedia(log: (line: string) => void = () => {}): WebrtcMedia {
  const calls = new Map<string, CallMedia>();
  /** The user's choice ('' = default); the microphone applies from the next Answer. */
  let devices: Pick<CallDevices, 'microphone' | 'speaker'> = { microphone: '', speaker: '' };
  const toSpeaker = (audio: HTMLAudioElement) =>
    void chooseOutput(audio as SinkTarget, devices.speaker, 'call audio', log).catch(
      () => undefined,
    );
  const of = (key: string): CallMedia => {
    let media = calls.get(key);
    if (!media) {
      media = { muted: false };
      calls.set(key, media);
    }
    return media;
  };

  async function run(key: string, command: MediaCommand): Promise<CallEvent | null> {
    switch (command.kind) {
      case 'acquireMic':
        try {
          const mic = await openMic(devices.microphone);
          const media = of(key);
          media.mic = mic;
          for (const track of mic.getAudioTracks()) track.enabled = !media.muted;
          return { kind: 'micReady', key };
        } catch (error) {
          return { kind: 'micFailed', key, message: errorText(error) };
        }
      case 'answerOffer':
        try {
          return { kind: 'localAnswer', key, sdp: await answer(of(key), command.sdp) };
        } catch (error) {
          return { kind: 'mediaFailed', key, message: errorText(error) };
        }
      case 'createOffer':
        try {
          return { kind: 'localOffer', key, sdp: await offer(of(key)) };
        } catch (error) {
          return { kind: 'mediaFailed', key, message: errorText(error) };
        }
      case 'applyAnswer':
        try {
          const pc = calls.get(key)?.pc;
          if (!pc) throw new Error('No peer connection for the answer');
          await pc.setRemoteDescription({ type: 'answer', sdp: command.sdp });
          return { kind: 'answerApplied', key };
        } catch (error) {
          return { kind: 'mediaFailed', key, message: errorText(error) };
        }
      case 'insertDTMF':
        // The SDK only logs a failure here; the table shows it without ending the call.
        try {
          const sender = calls
            .get(key)
            ?.pc?.getSenders()
            .find((s) => s.track?.kind === 'audio');
          if (!sender?.dtmf?.canInsertDTMF) throw new Error('This call cannot send keypad tones.');
          // insertDTMF replaces the tones still queued: keys pressed in quick succession
          // would drop the earlier ones, so queue after them.
          sender.dtmf.insertDTMF(sender.dtmf.toneBuffer + command.tones);
          return null;
        } catch (error) {
          log(`insertDTMF: ${errorText(error)}`);
          return { kind: 'digitsFailed', key, message: errorText(error) };
        }
      case 'established':
        return null;
      case 'close':
        close(key);
        return null;
    }
  }

  /** One peer connection per call (no STUN/TURN, as the SDK), the microphone on it. */
  function peer(media: CallMedia): RTCPeerConnection {
    const pc = new RTCPeerConnection({ iceServers: [] });
    media.pc = pc;
    for (const track of media.mic?.getAudioTracks() ?? [])
      pc.addTrack(track, media.mic as MediaStream);
    pc.ontrack = (event) => {
      const audio = media.audio ?? new Audio();
      media.audio = audio;
      toSpeaker(audio);
      audio.srcObject = event.streams[0] ?? new MediaStream([event.track]);
      void audio.play().catch(() => undefined);
    };
    return pc;
  }

  /** The first OFFER creates the connection; a re-offer mid-call renegotiates it. */
  async function answer(media: CallMedia, offer: string): Promise<string> {
    const pc = media.pc ?? peer(media);
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await pc.setLocalDescription(await pc.createAnswer());
    return complete(pc);
  }

  /** Outgoing: one audio transceiver sending the microphone (SDK: sendrecv audio only). */
  async function offer(media: CallMedia): Promise<string> {
    const pc = peer(media);
    if (pc.getTransceivers().length === 0) pc.addTransceiver('audio', { direction: 'sendrecv' });
    await pc.setLocalDescription(await pc.createOffer());
    return complete(pc);
  }

  /** Non-trickle: the SDP once ICE gathering is done (or 3 s passed), candidates included. */
  async function complete(pc: RTCPeerConnection): Promise<string> {
    await gathered(pc);
    const sdp = pc.localDescription?.sdp;
    if (!sdp) throw new Error('No local description');
    return sdp;
  }

  function close(key: string): void {
    const media = calls.get(key);
    if (!media) return;
    calls.delete(key);
    for (const track of media.mic?.getTracks() ?? []) track.stop();
    media.pc?.close();
    if (media.audio) {
      media.audio.pause();
      media.audio.srcObject = null;
    }
  }

  /** The chosen microphone, or the default one when it is gone: never a call lost to it. */
  async function openMic(deviceId: string): Promise<MediaStream> {
    try {
      return await navigator.mediaDevices.getUserMedia(micConstraints(deviceId));
    } catch (error) {
      const name = error instanceof DOMException ? error.name : '';
      if (!micFallsBack(deviceId, name)) throw error;
      log(`microphone ${deviceId} unavailable (${errorText(error)}); using the default`);
      return navigator.mediaDevices.getUserMedia(micConstraints(''));
    }
  }

  return {
    run,
    configure(next) {
      const moved = next.speaker !== devices.speaker;
      devices = { microphone: next.microphone, speaker: next.speaker };
      // A call in progress moves to the new speaker at once.
      if (moved) for (const media of calls.values()) if (media.audio) toSpeaker(media.audio);
    },
    setMuted(key, muted) {
      const media = of(key);
      media.muted = muted;
      // Local, as the SDK mutes: the track sends silence, the call goes on.
      for (const track of media.mic?.getAudioTracks() ?? []) track.enabled = !muted;
    },
    async micPermission(): Promise<MicPermission> {
      try {
        const status = await navigator.permissions.query({ name: 'microphone' as PermissionName });
        return status.state;
      } catch {
        return 'unknown';
      }
    },
    async levels() {
      const out: AudioLevels[] = [];
      for (const [key, media] of calls) {
        const level: AudioLevels = {
          key,
          inboundEnergy: 0,
          inboundPackets: 0,
          outboundPackets: 0,
          micLive: media.mic?.getAudioTracks().some((t) => t.readyState === 'live') ?? false,
        };
        const stats = await media.pc?.getStats();
        stats?.forEach((report: Record<string, unknown>) => {
          if (report.type === 'inbound-rtp' && report.kind === 'audio') {
            level.inboundEnergy = Number(report.totalAudioEnergy ?? 0);
            level.inboundPackets = Number(report.packetsReceived ?? 0);
          }
          if (report.type === 'outbound-rtp' && report.kind === 'audio')
            level.outboundPackets = Number(report.packetsSent ?? 0);
        });
        out.push(level);
      }
      return out;
    },
    open: () => calls.size,
  };
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ICE_GATHERING_MS);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState !== 'complete') return;
      clearTimeout(timer);
      resolve();
    });
  });
}

function errorText(error: unknown): string {
  if (error instanceof DOMException) return `${error.name}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
