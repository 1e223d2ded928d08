/**
 * The distributed mode's test set-up: the machine's NATS server (JetStream on, 127.0.0.1:4222 or
 * EARSHOT_TEST_NATS_URL) and PostgreSQL (EARSHOT_TEST_DATABASE_URL), a fresh schema and a fresh
 * subject prefix per run so runs never share state. Skipped with a reason where either is
 * missing, failed under CI=true (.ci/run starts them).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { scratchSchema } from './scratch-schema.js';
import { connect } from '@nats-io/transport-node';

export const NATS_URL = process.env.EARSHOT_TEST_NATS_URL?.trim() || 'nats://127.0.0.1:4222';
const postgresUrl = process.env.EARSHOT_TEST_DATABASE_URL?.trim() || null;

export interface ClusterEnv {
  /** Environment for an Earshot node of this run. */
  readonly env: Record<string, string>;
  readonly databaseUrl: string;
  readonly prefix: string;
  dispose(): Promise<void>;
}

/** Why the cluster suites cannot run here, or null; throws under CI=true instead of skipping. */
export async function clusterSkip(): Promise<string | null> {
  let reason: string | null = null;
  if (!postgresUrl) reason = 'EARSHOT_TEST_DATABASE_URL is not set';
  else {
    try {
      const nc = await connect({ servers: NATS_URL, timeout: 2000 });
      await nc.close();
    } catch (error) {
      reason = `no NATS server at ${NATS_URL}: ${(error as Error).message}`;
    }
  }
  if (reason && process.env.CI === 'true') throw new Error(`cluster suite cannot run under CI=true: ${reason}`);
  return reason;
}

export async function clusterEnv(): Promise<ClusterEnv> {
  const id = randomBytes(5).toString('hex');
  const scratch = await scratchSchema(postgresUrl!, 'earshot_cluster');
  const prefix = `t${id}`;
  return {
    databaseUrl: scratch.url,
    prefix,
    env: {
      EARSHOT_DATABASE_URL: scratch.url,
      EARSHOT_NATS_URL: NATS_URL,
      EARSHOT_NATS_PREFIX: prefix,
      EARSHOT_SECRET_KEY: randomBytes(32).toString('base64'),
    },
    async dispose() {
      const nc = await connect({ servers: NATS_URL });
      const { jetstreamManager } = await import('@nats-io/jetstream');
      const manager = await jetstreamManager(nc);
      for (const stream of [`${prefix.toUpperCase()}_DRAFTS`, `${prefix.toUpperCase()}_DEAD`])
        await manager.streams.delete(stream).catch(() => false);
      await nc.close();
      await scratch.drop();
    },
  };
}

/** A port free on loopback now, for a node started as a child process. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
