/**
 * The page's own view of the call's media: every RTCPeerConnection the SDK made (recorded by
 * the script the page server puts before the bundle) and its inbound/outbound audio stats.
 */
import type { PageAudio } from './page-protocol';

export function capturedPeerConnections(): RTCPeerConnection[] {
  return (window as unknown as { __peerConnections?: RTCPeerConnection[] }).__peerConnections ?? [];
}

export async function readAudio(pcs: RTCPeerConnection[]): Promise<PageAudio> {
  const audio: PageAudio = {
    peerConnections: pcs.length,
    iceState: pcs.at(-1)?.iceConnectionState ?? 'none',
    packetsReceived: 0,
    packetsSent: 0,
    totalAudioEnergy: 0,
    audioLevel: 0,
  };
  for (const pc of pcs) {
    const stats = await pc.getStats();
    stats.forEach((s: Record<string, unknown>) => {
      if (s.kind !== 'audio') return;
      if (s.type === 'inbound-rtp') {
        audio.packetsReceived += Number(s.packetsReceived ?? 0);
        audio.totalAudioEnergy += Number(s.totalAudioEnergy ?? 0);
        audio.audioLevel = Math.max(audio.audioLevel, Number(s.audioLevel ?? 0));
      } else if (s.type === 'outbound-rtp') {
        audio.packetsSent += Number(s.packetsSent ?? 0);
      }
    });
  }
  return audio;
}
