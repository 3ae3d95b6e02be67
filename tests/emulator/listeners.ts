import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { newTrackingId } from './ids';
import type { ServerName } from './types';

/** A WebSocket upgrade (Mercury); listeners without one refuse upgrades. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export type RequestHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  server: ServerName,
) => void;

/** A port already taken: the CLI prints `message` as is. */
export class PortInUseError extends Error {
  readonly code = 'EADDRINUSE';
  constructor(
    readonly server: ServerName,
    readonly host: string,
    readonly port: number,
  ) {
    super(`port ${port} on ${host} (${server} listener) is already in use`);
    this.name = 'PortInUseError';
  }
}

/**
 * One HTTP listener that can really go down: closing stops accepting and destroys every open
 * socket, so clients get connection refused/reset; up listens again on the same port.
 */
export class Listener {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private boundPort: number;

  constructor(
    readonly name: ServerName,
    private readonly host: string,
    port: number,
    private readonly handler: RequestHandler,
    private readonly onUpgrade?: UpgradeHandler,
  ) {
    this.boundPort = port;
  }

  get port(): number {
    return this.boundPort;
  }

  get isUp(): boolean {
    return this.server !== undefined;
  }

  async up(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => this.handler(req, res, this.name));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('upgrade', (req, socket, head) => {
      if (this.onUpgrade) this.onUpgrade(req, socket, head);
      else socket.destroy();
    });
    // A client that sends garbage gets a 400 and a closed socket, never a hang.
    server.on('clientError', (_err, socket) => {
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 400 Bad Request\r\ntrackingid: ${newTrackingId()}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
        );
      } else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        reject(
          err.code === 'EADDRINUSE'
            ? new PortInUseError(this.name, this.host, this.boundPort)
            : err,
        );
      };
      const onListening = () => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(this.boundPort, this.host);
    });
    const address = server.address();
    if (address && typeof address === 'object') this.boundPort = address.port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }
}
