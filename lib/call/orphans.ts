/**
 * Calls that outlive their document (reference/mobius-calls.md §7.3): the document reports the
 * calls it holds with every view; when it is lost mid-call (closed, its renderer crashed, the
 * browser quit), the worker hands them to the next document as orphans, which ends the answered
 * ones at Mobius. No ghost call stays open there, nor in the UI.
 */
import type { HeldCall, LineForCalls } from '../messaging/calls';
import type { CallSpec } from '../webex/calls';
import type { CallRecord, RequestOutcome } from './types';

export interface CallTarget {
  serverUrl: string;
  clientDeviceUri: string;
}

export type SendTo = (target: CallTarget, spec: CallSpec) => Promise<RequestOutcome>;

/** What another document would need to end these calls, on the line they live on. */
export function heldCalls(records: CallRecord[], line: LineForCalls | null): HeldCall[] {
  if (!line) return [];
  return records
    .filter((record) => record.state !== 'ended')
    .map((record) => ({
      key: record.key,
      callId: record.callId,
      deviceId: record.deviceId,
      serverUrl: line.serverUrl,
      clientDeviceUri: line.clientDeviceUri,
      answered: record.state !== 'ringing',
    }));
}

/**
 * End the orphans; resolves with the keys that are done. An answered call gets the SDK's
 * hang-up (DELETE, cause 0: its media died with the document); Mobius saying it has no such call
 * (404) is done too. A ringing call is only forgotten: declining it could end it on the user's
 * other devices, where it still rings. A failure (network, 5xx) stays an orphan for the next try.
 */
export async function endOrphans(orphans: readonly HeldCall[], sendTo: SendTo): Promise<string[]> {
  const done: string[] = [];
  for (const orphan of orphans) {
    if (orphan.answered) {
      const outcome = await sendTo(orphan, {
        tag: 'delete',
        device: { deviceId: orphan.deviceId, correlationId: orphan.key },
        callId: orphan.callId,
        cause: 'normal',
      });
      if (!outcome.ok && outcome.status !== 404) continue;
    }
    done.push(orphan.key);
  }
  return done;
}
