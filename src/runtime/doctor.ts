/**
 * `earshot doctor`: what an operator checks before (and while) running Earshot — the store and
 * its migrations, and in the distributed mode NATS, JetStream, the work queue and its consumer —
 * each as one line that says what was found. It reads and never changes anything: no migration,
 * no stream created.
 */
import { existsSync } from 'node:fs';
import pg from 'pg';
import type { Config } from '../config.js';
import { MIGRATIONS } from '../store/migrations/index.js';
import { natsNames } from '../pipeline/nats.js';

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Node.js major versions Earshot is built and tested on. */
const SUPPORTED_NODE = [20];

export async function runDoctor(config: Config): Promise<Check[]> {
  const checks: Check[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  checks.push({
    name: 'node',
    ok: SUPPORTED_NODE.includes(major),
    detail: `Node.js ${process.versions.node}${SUPPORTED_NODE.includes(major) ? '' : ` (Earshot supports ${SUPPORTED_NODE.join(', ')})`}`,
  });
  checks.push(...(config.databaseUrl ? await postgresChecks(config.databaseUrl) : sqliteChecks(config)));
  if (config.nats) checks.push(...(await natsChecks(config.nats.url, config.nats.prefix)));
  return checks;
}

function sqliteChecks(config: Config): Check[] {
  const file = `${config.dataDir}/earshot.sqlite`;
  return [
    {
      name: 'store',
      ok: true,
      detail: existsSync(file) ? `SQLite ${file}` : `SQLite ${file} (not created yet: the first start creates it)`,
    },
  ];
}

async function postgresChecks(databaseUrl: string): Promise<Check[]> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    return [{ name: 'postgresql', ok: false, detail: `cannot connect: ${(error as Error).message}` }];
  }
  try {
    const { rows } = await client.query<{ version: string; schema: string }>(
      'select current_setting($1) as version, current_schema() as schema',
      ['server_version'],
    );
    const { version, schema } = rows[0]!;
    const checks: Check[] = [{ name: 'postgresql', ok: true, detail: `PostgreSQL ${version}, schema ${schema}` }];
    const applied = await client
      .query<{ name: string }>('select name from kysely_migration')
      .then((result) => new Set(result.rows.map((row) => row.name)))
      .catch(() => new Set<string>());
    const missing = Object.keys(MIGRATIONS).filter((name) => !applied.has(name));
    const unknown = [...applied].filter((name) => !(name in MIGRATIONS));
    checks.push({
      name: 'migrations',
      ok: unknown.length === 0,
      detail:
        unknown.length > 0
          ? `the database has migrations this Earshot does not know (${unknown.join(', ')}): it is older than the data`
          : missing.length > 0
            ? `${missing.length} to apply at the next start (${missing.join(', ')})`
            : `all ${applied.size} applied`,
    });
    return checks;
  } finally {
    await client.end().catch(() => {});
  }
}

async function natsChecks(url: string, prefix: string): Promise<Check[]> {
  const [{ connect }, { jetstreamManager }] = await Promise.all([
    import('@nats-io/transport-node'),
    import('@nats-io/jetstream'),
  ]);
  let connection: Awaited<ReturnType<typeof connect>>;
  try {
    connection = await connect({ servers: url, timeout: 5000, name: 'earshot-doctor' });
  } catch (error) {
    return [{ name: 'nats', ok: false, detail: `cannot connect to ${url}: ${(error as Error).message}` }];
  }
  const names = natsNames(prefix);
  const checks: Check[] = [
    { name: 'nats', ok: true, detail: `${url}, nats-server ${connection.info?.version ?? '?'}` },
  ];
  try {
    let manager: Awaited<ReturnType<typeof jetstreamManager>>;
    try {
      manager = await jetstreamManager(connection);
      const account = await manager.getAccountInfo();
      checks.push({ name: 'jetstream', ok: true, detail: `enabled, ${account.streams} stream(s) in the account` });
    } catch (error) {
      checks.push({
        name: 'jetstream',
        ok: false,
        detail: `not available (start nats-server with -js): ${(error as Error).message}`,
      });
      return checks;
    }
    for (const stream of [names.draftsStream, names.deadStream]) {
      const info = await manager.streams.info(stream).catch(() => null);
      checks.push({
        name: `stream ${stream}`,
        ok: info !== null,
        detail: info
          ? `${info.state.messages} message(s), ${info.state.bytes} bytes`
          : 'missing (the first node to start creates it)',
      });
      if (info && stream === names.deadStream && info.state.messages > 0)
        checks.push({
          name: 'dead letters',
          ok: false,
          detail: `${info.state.messages} draft batch(es) failed on every delivery: see /api/cluster or the Sources view`,
        });
    }
    const consumer = await manager.consumers.info(names.draftsStream, names.workersConsumer).catch(() => null);
    checks.push({
      name: 'workers',
      ok: consumer !== null,
      detail: consumer
        ? `consumer ${names.workersConsumer}: ${consumer.num_pending} batch(es) waiting, ${consumer.num_ack_pending} in hand, ${consumer.num_waiting} pull request(s) from workers`
        : 'no consumer yet (a worker creates it when it starts)',
    });
    return checks;
  } finally {
    await connection.close();
  }
}
