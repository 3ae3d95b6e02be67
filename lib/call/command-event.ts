/**
 * A user's call command as the call machine's event. Mute is not one: it is the document's
 * own state (media and view), the machine never hears of it.
 */
import type { CallCommand } from '../messaging/calls';
import type { CallEvent } from './types';

export type MachineCommand = Exclude<CallCommand, { kind: 'mute' }>;

/** Commands before which the microphone permission is read again: it may have been granted
 * since (the microphone page), and the machine decides on it. */
export const READS_MIC_FIRST: ReadonlySet<MachineCommand['kind']> = new Set(['dial', 'answer']);

/** The event for `command`; a dial places the call on the line's device `deviceId`. */
export function commandEvent(command: MachineCommand, deviceId: string): CallEvent {
  switch (command.kind) {
    case 'dial':
      return { kind: 'dial', key: command.key, deviceId, number: command.number };
    case 'hold':
      return { kind: 'hold', key: command.key, held: command.held };
    case 'digits':
      return { kind: 'digits', key: command.key, digits: command.digits };
    case 'transfer':
      return { kind: 'transfer', key: command.key, to: command.to };
    default:
      return { kind: command.kind, key: command.key };
  }
}
