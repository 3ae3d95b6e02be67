/**
 * The seed's CallingClient (`getLines()`) over a line service, its Line kept current by every
 * broadcast. It is the public, SDK-shaped face of the engine for code that embeds it; the
 * service worker itself talks to the service, so this stays out of its bundle.
 */
import { CallingClient, Line } from '../line/line';
import type { LineService } from './line-service';

export async function createCallingClient(service: LineService): Promise<CallingClient> {
  const line = new Line({
    register: () => void service.register(),
    deregister: () => void service.deregister(),
  });
  service.subscribe(({ event, error, snapshot }) => {
    // The properties first: a `registered` listener reads the new device.
    if (snapshot.line) line.update(snapshot.line);
    if (event) line.emit(event, error);
  });
  const snapshot = await service.snapshot();
  if (snapshot.line) line.update(snapshot.line);
  return new CallingClient(line);
}
