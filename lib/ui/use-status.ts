/** Live status for extension pages: the snapshot at once, then every broadcast. */

import { useCallback, useEffect, useState } from 'preact/hooks';
import type { MessagingClient } from '../messaging/client';
import type { StatusSnapshot } from '../messaging/protocol';
import { newestSnapshot } from './status';

export interface LiveStatus {
  /** Null until the first answer from the service worker. */
  snapshot: StatusSnapshot | null;
  /** Apply a snapshot that came back from a request (newest wins). */
  apply(snapshot: StatusSnapshot): void;
}

export function useStatus(client: MessagingClient): LiveStatus {
  const [snapshot, setSnapshot] = useState<StatusSnapshot | null>(null);
  const apply = useCallback((next: StatusSnapshot) => {
    setSnapshot((current) => newestSnapshot(current, next));
  }, []);
  useEffect(() => client.connectStatus((broadcast) => apply(broadcast.snapshot)), [client, apply]);
  return { snapshot, apply };
}
