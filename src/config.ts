/**
 * Earshot's configuration, read once at start from the environment into one frozen object
 * and passed down; nothing deeper reads `process.env`.
 */
import { resolve } from 'node:path';
import { EarshotError } from './domain/errors.js';

export interface Config {
  /** Folder for the SQLite file and other local state. */
  readonly dataDir: string;
  /** `postgres://…` to use PostgreSQL; null for the embedded SQLite file. */
  readonly databaseUrl: string | null;
  readonly port: number;
  readonly host: string;
  /** Password for the first `admin` user; null means generate one and print it once. */
  readonly adminPassword: string | null;
  readonly logLevel: string;
  /** Largest request body the API accepts, in bytes. */
  readonly bodyLimit: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const port = Number(env.EARSHOT_PORT ?? 7410);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new EarshotError('ERR_CONFIG_INVALID', { detail: `EARSHOT_PORT must be a port number, got ${env.EARSHOT_PORT}` });
  }
  const databaseUrl = env.EARSHOT_DATABASE_URL?.trim() || null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new EarshotError('ERR_CONFIG_INVALID', { detail: 'EARSHOT_DATABASE_URL must start with postgres://' });
  }
  const bodyLimit = Number(env.EARSHOT_BODY_LIMIT ?? 64 * 1024 * 1024);
  return Object.freeze({
    dataDir: resolve(env.EARSHOT_DATA_DIR ?? './earshot-data'),
    databaseUrl,
    port,
    host: env.EARSHOT_HOST ?? '127.0.0.1',
    adminPassword: env.EARSHOT_ADMIN_PASSWORD || null,
    logLevel: env.EARSHOT_LOG_LEVEL ?? 'info',
    bodyLimit,
    ...overrides,
  });
}
