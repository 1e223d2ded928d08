/**
 * Backpressure for one Server-Sent Events connection: writes that never buffer without bound.
 *
 * A client that stops reading first fills the kernel's socket buffers (several MB on loopback),
 * then Node's write buffer. Two rules close it, so it reconnects and reloads, or is gone:
 * - the socket has not drained `stallMs` after a write was refused (`write()` returned false):
 *   a reader on a slow link drains within that, a stopped one never does;
 * - more than `maxBufferBytes` wait in Node's buffer (a fast flood inside the grace).
 * Frames are written as Buffers the caller encodes once: a backlog shared by many stuck
 * clients holds references to the same bytes, not a copy per client.
 */

export interface LiveWriterLimits {
  /** How long a refused write may wait for the socket to drain before the client is closed. */
  readonly stallMs: number;
  /** Bytes that may wait in Node's write buffer for one client before it is closed. */
  readonly maxBufferBytes: number;
}

/** The narrow part of a writable socket or `ServerResponse` this needs. */
export interface LiveSink {
  readonly destroyed: boolean;
  readonly writableLength: number;
  write(chunk: Buffer | string): boolean;
  once(event: 'drain', listener: () => void): unknown;
  removeListener(event: 'drain', listener: () => void): unknown;
  destroy(): unknown;
}

export type LiveDropReason = 'stalled' | 'backlog';

export interface LiveWriter {
  /** Writes a frame, or closes the client if it broke a limit. False when closed or backed up. */
  write(chunk: Buffer | string): boolean;
  /** Stops the grace timer (the connection closed on its own). */
  dispose(): void;
}

export function liveWriter(
  sink: LiveSink,
  limits: LiveWriterLimits,
  onDrop: (reason: LiveDropReason) => void,
): LiveWriter {
  let stall: NodeJS.Timeout | null = null;
  let dropped = false;
  const drained = () => {
    if (stall) clearTimeout(stall);
    stall = null;
  };
  const drop = (reason: LiveDropReason) => {
    if (dropped) return;
    dropped = true;
    drained();
    sink.removeListener('drain', drained);
    sink.destroy();
    onDrop(reason);
  };
  return {
    write: function writeLiveFrame(chunk) {
      if (dropped || sink.destroyed) return false;
      if (sink.writableLength > limits.maxBufferBytes) {
        drop('backlog');
        return false;
      }
      const accepted = sink.write(chunk);
      if (!accepted && stall === null) {
        stall = setTimeout(() => drop('stalled'), limits.stallMs);
        sink.once('drain', drained);
      }
      return accepted;
    },
    dispose() {
      drained();
      sink.removeListener('drain', drained);
    },
  };
}
