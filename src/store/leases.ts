/**
 * Leases: a part that must run on exactly one node at a time (the sources, the crisis watch, the
 * escalation runner, the outbound worker) runs where its lease is held. On PostgreSQL a lease is
 * a session advisory lock on a connection of its own: when a node dies — even by SIGKILL — its
 * session ends, PostgreSQL frees its locks, and another node's next attempt takes them over.
 * On SQLite there is one process per data folder (the data-folder lock), so every lease is held.
 */
import pg from 'pg';

export interface Leases {
  /** Takes the lease if it is free; true while this node holds it. */
  tryAcquire(name: string): Promise<boolean>;
  release(name: string): Promise<void>;
  /** Called once when held leases are lost (the connection to PostgreSQL broke). */
  onLost(listener: () => void): void;
  close(): Promise<void>;
}

/** One process, one data folder: nobody else can hold a lease. */
export function localLeases(): Leases {
  return {
    tryAcquire: async () => true,
    release: async () => {},
    onLost: () => {},
    close: async () => {},
  };
}

export async function postgresLeases(databaseUrl: string): Promise<Leases> {
  const client = new pg.Client({ connectionString: databaseUrl, keepAlive: true });
  await client.connect();
  const held = new Set<string>();
  const listeners: (() => void)[] = [];
  let lost = false;
  const markLost = () => {
    if (lost) return;
    lost = true;
    held.clear();
    for (const listener of listeners) listener();
  };
  client.on('error', markLost);
  client.on('end', markLost);
  // Locks are per database; installs in other schemas of the same database have their own leases.
  const { rows } = await client.query<{ schema: string }>('select current_schema() as schema');
  const namespace = rows[0]?.schema ?? 'public';
  const key = (name: string) => `earshot:${namespace}:${name}`;
  return {
    async tryAcquire(name) {
      if (lost) return false;
      if (held.has(name)) return true;
      const result = await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtextextended($1, 0)) as ok', [
        key(name),
      ]);
      if (result.rows[0]?.ok) held.add(name);
      return held.has(name);
    },
    async release(name) {
      if (!held.delete(name) || lost) return;
      await client.query('select pg_advisory_unlock(hashtextextended($1, 0))', [key(name)]);
    },
    onLost(listener) {
      listeners.push(listener);
    },
    async close() {
      held.clear();
      lost = true;
      await client.end().catch(() => {});
    },
  };
}

/**
 * Keeps trying for a lease and runs `start` while it is held: on this node at once when the lease
 * is free, or within `retryMs` of its holder dying. `start` returns the function that stops it.
 */
export function runUnderLease(
  leases: Leases,
  name: string,
  start: () => Promise<() => Promise<void> | void>,
  options: {
    readonly retryMs?: number;
    readonly onError?: (error: unknown) => void;
    readonly onChange?: (held: boolean) => void;
  } = {},
): { stop(): Promise<void> } {
  let stopRunning: (() => Promise<void> | void) | null = null;
  let closed = false;
  let attempt: Promise<void> = Promise.resolve();
  const onError = options.onError ?? ((error: unknown) => console.error(`lease ${name}:`, error));
  const tryOnce = async () => {
    if (closed || stopRunning) return;
    try {
      if (!(await leases.tryAcquire(name)) || closed) return;
      // Held before it starts: what it starts may ask whether this node holds the lease.
      options.onChange?.(true);
      try {
        stopRunning = await start();
      } catch (error) {
        options.onChange?.(false);
        throw error;
      }
    } catch (error) {
      onError(error);
      await leases.release(name).catch(() => {});
    }
  };
  const timer = setInterval(() => {
    attempt = attempt.then(tryOnce);
  }, options.retryMs ?? 2000);
  attempt = attempt.then(tryOnce);
  leases.onLost(() => {
    const stopping = stopRunning;
    stopRunning = null;
    if (stopping) {
      options.onChange?.(false);
      void Promise.resolve(stopping()).catch(onError);
    }
  });
  return {
    async stop() {
      closed = true;
      clearInterval(timer);
      await attempt;
      const stopping = stopRunning;
      stopRunning = null;
      if (stopping) await stopping();
      await leases.release(name).catch(() => {});
    },
  };
}
