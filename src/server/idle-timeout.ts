/**
 * The socket idle timeout waits for the client, never for the server.
 *
 * Fastify's `connectionTimeout` closes a socket with no traffic for that long. That is right while
 * a request arrives (with Node's `requestTimeout`, it cuts off slow and silent bodies) and while a
 * response is sent, but wrong while the server works on a request that has fully arrived: a
 * 50,000-post import that took longer than the timeout was closed without an answer, although
 * the client had done everything it had to. So the timer is held from the moment the body is
 * parsed (`preHandler`) until the answer is ready (`onSend`), then armed again for the send.
 * After the answer, Node applies the keep-alive timeout as usual. `/api/live` hijacks its reply
 * (no `onSend`): its own backpressure closes a client that stops reading (`live-writer.ts`).
 */
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

export function holdIdleTimeoutWhileHandling(app: FastifyInstance, idleTimeoutMs: number): void {
  app.addHook('preHandler', async function holdIdleTimeout(request) {
    setIdleTimeout(request.raw.socket, 0);
  });
  app.addHook('onSend', async function armIdleTimeout(request, _reply, payload) {
    setIdleTimeout(request.raw.socket, idleTimeoutMs);
    return payload;
  });
}

/** `inject()`'s stand-in socket has no timer to set. */
function setIdleTimeout(socket: { setTimeout?: unknown } | null | undefined, ms: number): void {
  if (typeof socket?.setTimeout === 'function') (socket as Socket).setTimeout(ms);
}
