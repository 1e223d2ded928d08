/**
 * A loopback TCP relay in front of a real server, standing in for the network between Earshot
 * and a mail server: it can cut every open connection and refuse new ones for a while (an
 * outage), or stop listening and start again on the same port (the peer stopped and started), and it keeps what clients sent so a test can see the commands on the wire (that the
 * client really waited in IMAP IDLE, say).
 */
import { createServer, connect, type Server, type Socket, type AddressInfo } from 'node:net';

export interface TcpRelay {
  readonly port: number;
  /** Everything clients sent, as text (bounded). */
  sent(): string;
  /** Drops every open connection. */
  cut(): void;
  /** While down, new connections are accepted and closed at once. */
  down(): void;
  up(): void;
  /** Drops every connection and stops listening: connecting is refused, as when the peer is stopped. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const MAX_TRANSCRIPT = 1_000_000;

export async function startTcpRelay(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpRelay> {
  const open = new Set<Socket>();
  let isDown = false;
  let transcript = '';
  const server: Server = createServer((client) => {
    if (isDown) return void client.destroy();
    const upstream = connect(targetPort, targetHost);
    open.add(client);
    open.add(upstream);
    client.on('data', (chunk: Buffer) => {
      if (transcript.length < MAX_TRANSCRIPT) transcript += chunk.toString('latin1');
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const dropAll = () => {
    for (const socket of open) socket.destroy();
    open.clear();
  };
  return {
    port,
    sent: () => transcript,
    cut() {
      for (const socket of open) socket.destroy();
      open.clear();
    },
    down() {
      isDown = true;
    },
    up() {
      isDown = false;
    },
    async stop() {
      const closed = new Promise((resolve) => server.close(resolve));
      dropAll();
      await closed;
    },
    start: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
    async close() {
      if (!server.listening) return dropAll();
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
