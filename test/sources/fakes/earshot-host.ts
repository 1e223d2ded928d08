/**
 * Not a fake: the real Earshot parts a channel's end-to-end test needs, on a throwaway SQLite
 * store — pipeline, desk, the source supervisor (configured sources, sealed secrets, durable
 * cursors) and the outbound worker. A test configures a source the way an admin would, waits
 * for a post to be stored, opens a ticket on it and lets an agent reply from the desk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from '../../../src/store/open.js';
import { InProcessBus } from '../../../src/pipeline/bus.js';
import { IngestPipeline } from '../../../src/pipeline/ingest.js';
import { createAnalyzer } from '../../../src/analysis/analyzer.js';
import { Desk } from '../../../src/desk/desk.js';
import { OutboundWorker } from '../../../src/desk/outbound-worker.js';
import { SourceSupervisor } from '../../../src/sources/supervisor.js';
import { createSecretBox } from '../../../src/sources/secrets.js';
import { sourceDefinition } from '../../../src/sources/index.js';
import { splitSecrets } from '../../../src/sources/secrets.js';
import { insertSource } from '../../../src/store/sources.js';
import { createTickets, getTicket, listOutbound, listTicketEvents } from '../../../src/store/tickets.js';
import { createUser } from '../../../src/store/users.js';
import type { User } from '../../../src/domain/user.js';
import type { ReplyVisibility } from '../../../src/domain/ticket.js';

export interface EarshotHost {
  readonly store: Store;
  readonly supervisor: SourceSupervisor;
  /** Configures and starts a source as an admin would (secrets sealed). */
  addSource(name: string, kind: string, options: Record<string, unknown>): Promise<void>;
  /** Resolves with the stored post's id once the pipeline stored it. */
  waitForPost(source: string, externalId: string, timeoutMs?: number): Promise<number>;
  /** Opens a ticket on the post and queues an agent's reply; runs the outbound worker once. */
  replyFromDesk(
    postId: number,
    source: string,
    body: string,
    visibility: ReplyVisibility,
  ): Promise<{ status: string; remoteId: string | null; remoteUrl: string | null; error: string | null }>;
  /** The ticket a post raised or joined, with its status and the timeline's event types. */
  ticketOf(postId: number): Promise<{ id: number; status: string; events: string[] } | null>;
  close(): Promise<void>;
}

export async function startEarshotHost(): Promise<EarshotHost> {
  const dataDir = mkdtempSync(join(tmpdir(), 'earshot-host-'));
  const store = await openStore({ databaseUrl: null, dataDir });
  const bus = new InProcessBus();
  const pipeline = new IngestPipeline({ store, analyzer: createAnalyzer(), bus });
  const desk = new Desk({ store, bus });
  const quiet = { info() {}, warn() {}, error() {} };
  const supervisor = new SourceSupervisor({
    store,
    bus,
    pipeline,
    secrets: createSecretBox(randomBytes(32)),
    allowPrivateNetwork: true,
    log: quiet,
  });
  const worker = new OutboundWorker({ store, bus, senders: supervisor, intervalMs: 0 });
  const agent = (await createUser(store.db, { username: 'agent', role: 'agent', password: 'a-long-password' })) as User;

  return {
    store,
    supervisor,
    async addSource(name, kind, options) {
      const definition = sourceDefinition(kind);
      if (!definition) throw new Error(`no source kind ${kind}`);
      const { plain, secrets } = splitSecrets(options, definition.secrets);
      await insertSource(store.db, {
        name,
        kind,
        options: plain,
        sealedSecrets: supervisor.secrets.seal(name, secrets),
        secretsSet: Object.keys(secrets),
        enabled: true,
        origin: 'api',
      });
      await supervisor.reconcile(name);
    },
    async waitForPost(source, externalId, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const row = await store.db
          .selectFrom('posts')
          .select('id')
          .where('source', '=', source)
          .where('external_id', '=', externalId)
          .executeTakeFirst();
        if (row) return Number(row.id);
        if (Date.now() > deadline)
          throw new Error(`post ${externalId} of ${source} was not stored within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async replyFromDesk(postId, source, body, visibility) {
      const now = new Date().toISOString();
      // One ticket per post: a second reply on the same post goes on the same ticket.
      const existing = await store.db
        .selectFrom('tickets')
        .select('id')
        .where('post_id', '=', postId)
        .executeTakeFirst();
      const ticketId = existing
        ? Number(existing.id)
        : (
            await createTickets(
              store.db,
              [
                {
                  type: 'request',
                  priority: 'normal',
                  subject: 'from a channel test',
                  postId,
                  streamId: null,
                  source,
                  slaDueAt: null,
                },
              ],
              now,
            )
          )[0]!.id;
      const { outbound } = await desk.reply(ticketId, { body, visibility }, agent);
      await worker.runOnce();
      const row = (await listOutbound(store.db, {})).find((message) => message.id === outbound.id)!;
      return { status: row.status, remoteId: row.remoteId, remoteUrl: row.remoteUrl, error: row.error };
    },
    async ticketOf(postId) {
      const own = await store.db.selectFrom('tickets').select('id').where('post_id', '=', postId).executeTakeFirst();
      const joined = await store.db
        .selectFrom('ticket_messages')
        .select('ticket_id')
        .where('post_id', '=', postId)
        .executeTakeFirst();
      const id = own ? Number(own.id) : joined ? Number(joined.ticket_id) : null;
      if (id === null) return null;
      const ticket = (await getTicket(store.db, id))!;
      const events = (await listTicketEvents(store.db, id)).map((event) => event.type);
      return { id, status: ticket.status, events };
    },
    async close() {
      await supervisor.close();
      pipeline.close();
      await bus.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
