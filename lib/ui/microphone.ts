/**
 * The microphone page's logic, pure: what the browser said (a permission state, the name of the
 * error `getUserMedia` failed with) -> what the page shows. The page entry does the asking.
 */

import { type MessageKey, t } from './i18n';

/** `navigator.permissions.query({ name: 'microphone' })`'s answer, or null: it would not say. */
export type MicPermissionState = 'granted' | 'prompt' | 'denied' | null;

export type MicPageState =
  /** Reading the permission on load. */
  | 'checking'
  /** Allowed before this visit. */
  | 'granted'
  | 'prompt'
  /** The browser would not say (no Permissions API for the microphone). */
  | 'unknown'
  /** `getUserMedia` waits for the user's answer to the browser's prompt. */
  | 'asking'
  /** Allowed just now. */
  | 'done'
  /** The prompt was closed without an answer: nothing is blocked, it may be asked again. */
  | 'dismissed'
  | 'denied'
  | 'noDevice'
  /** There is a microphone, but it could not be started (another app holds it, a driver). */
  | 'busy'
  | 'failed';

export function stateFromPermission(permission: MicPermissionState): MicPageState {
  return permission ?? 'unknown';
}

/**
 * After `getUserMedia` failed with `errorName`: the permission read just afterwards tells a
 * refusal (denied) from a prompt the user only closed (still prompt).
 */
export function stateAfterRequestError(
  errorName: string,
  permissionNow: MicPermissionState,
): MicPageState {
  switch (errorName) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return permissionNow === 'prompt' ? 'dismissed' : 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return 'noDevice';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'busy';
    default:
      return 'failed';
  }
}

/**
 * The permission changed while the page is open (the user changed it from the lock icon or the
 * settings): follow it, except while the prompt is up, and keep "Done" once it is granted.
 */
export function stateOnPermissionChange(
  current: MicPageState,
  permission: MicPermissionState,
): MicPageState {
  if (current === 'asking') return current;
  if (current === 'done' && permission === 'granted') return current;
  return stateFromPermission(permission);
}

export interface MicPageView {
  /** What the page says about the microphone now (null: nothing yet). */
  text: string | null;
  tone: 'ok' | 'bad' | 'calm';
  /** Whether "Allow microphone" is offered (not once it is allowed). */
  offerButton: boolean;
  /** The button waits for the browser's prompt. */
  busy: boolean;
}

const TEXTS: Record<MicPageState, [MessageKey | null, MicPageView['tone']]> = {
  checking: [null, 'calm'],
  unknown: [null, 'calm'],
  granted: ['micStateGranted', 'ok'],
  done: ['micStateDone', 'ok'],
  prompt: ['micStatePrompt', 'calm'],
  asking: ['micStateAsking', 'calm'],
  dismissed: ['micStateDismissed', 'calm'],
  denied: ['micStateDenied', 'bad'],
  noDevice: ['micStateNoDevice', 'bad'],
  busy: ['micStateBusy', 'bad'],
  failed: ['micStateFailed', 'bad'],
};

/** `detail`: the error's own words, for a failure the page has no sentence for. */
export function micPageView(state: MicPageState, detail = ''): MicPageView {
  const [key, tone] = TEXTS[state];
  return {
    text: key === null ? null : key === 'micStateFailed' ? t(key, detail) : t(key),
    tone,
    offerButton: state !== 'granted' && state !== 'done',
    busy: state === 'asking',
  };
}
