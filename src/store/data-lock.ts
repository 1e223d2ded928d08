/**
 * One serving Earshot per data folder: `earshot.lock` holds the pid and host of the process that
 * runs its sources, so a second `earshot serve` on the same folder (two pollers on one store,
 * every post fetched twice, replies raced) is refused. The lock is removed on a clean exit; one
 * left by a process that is gone (same host, pid not running) is stale and taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { EarshotError } from '../domain/errors.js';

export const LOCK_FILE_NAME = 'earshot.lock';

export interface DataLock {
  readonly path: string;
  /** Removes the lock if it is still this process's; safe to call twice. */
  release(): void;
}

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

/** Takes the data folder's lock, or throws `ERR_DATA_DIR_LOCKED` naming the process holding it. */
export function lockDataDir(dataDir: string, now = new Date()): DataLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE_NAME);
  const me: Holder = { pid: process.pid, host: hostname(), since: now.toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, `${JSON.stringify(me)}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(path);
      // Stale: its process is gone (same host, pid not running), or it was never written in full.
      const stale = holder ? holder.host === me.host && !isRunning(holder.pid) : ageMs(path, now) > 10_000;
      if (!stale || attempt > 0)
        throw new EarshotError('ERR_DATA_DIR_LOCKED', {
          dataDir,
          pid: holder ? `${holder.pid} on ${holder.host}` : 'unknown',
          since: holder?.since ?? 'unknown',
          lock: path,
        });
      rmLock(path);
    }
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    if (readHolder(path)?.pid === me.pid) rmLock(path);
  };
  // A process that ends without closing (an uncaught error, process.exit) still frees the folder.
  process.on('exit', release);
  return { path, release };
}

function readHolder(path: string): Holder | null {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    return typeof value.pid === 'number' && typeof value.host === 'string'
      ? { pid: value.pid, host: value.host, since: String(value.since ?? 'unknown') }
      : null;
  } catch {
    return null;
  }
}

function ageMs(path: string, now: Date): number {
  try {
    return now.getTime() - statSync(path).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function rmLock(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
