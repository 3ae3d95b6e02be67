/**
 * The microphone permission of the extension's origin, over `navigator.permissions` and
 * `navigator.mediaDevices`. For extension pages (the microphone page); no decisions here.
 */

export type MicrophonePermission = 'granted' | 'prompt' | 'denied';

export type MicrophoneRequest = { ok: true } | { ok: false; name: string; message: string };

async function permissionStatus(): Promise<PermissionStatus | null> {
  try {
    // 'microphone' is not in every browser's PermissionName (Firefox before 2024 throws).
    return await navigator.permissions.query({ name: 'microphone' as PermissionName });
  } catch {
    return null;
  }
}

function asPermission(state: PermissionState | undefined): MicrophonePermission | null {
  return state === 'granted' || state === 'prompt' || state === 'denied' ? state : null;
}

/** The permission now, or null when the browser will not say. */
export async function queryMicrophone(): Promise<MicrophonePermission | null> {
  return asPermission((await permissionStatus())?.state);
}

/** Calls `onChange` whenever the permission changes (lock icon, settings); returns a stop. */
export function watchMicrophone(
  onChange: (permission: MicrophonePermission | null) => void,
): () => void {
  let stopped = false;
  let status: PermissionStatus | null = null;
  const listener = () => {
    if (!stopped && status) onChange(asPermission(status.state));
  };
  void permissionStatus().then((found) => {
    status = found;
    if (!stopped) status?.addEventListener('change', listener);
  });
  return () => {
    stopped = true;
    status?.removeEventListener('change', listener);
  };
}

/**
 * Ask for the microphone (the browser prompts if it has not been answered), then let it go at
 * once: the permission is what is wanted, not the sound.
 */
export async function requestMicrophone(): Promise<MicrophoneRequest> {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    for (const track of stream.getTracks()) track.stop();
    return { ok: true };
  } catch (error) {
    const { name, message } =
      error instanceof Error ? error : { name: 'Error', message: String(error) };
    return { ok: false, name, message };
  }
}
