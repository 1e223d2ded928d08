/**
 * Eight clients posting to `POST /api/ingest` at once, their batches sharing authors in different
 * orders: every request answers 200 and every post is stored once. On PostgreSQL the author upsert
 * used to lock authors in each batch's own order and fail with "deadlock detected".
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/backends.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { ingestLine } from '../helpers/posts.js';
import { countPosts } from '../../src/store/posts.js';
import { rng } from '../helpers/random.js';

const CLIENTS = 8;
const ROUNDS = 3;
const BATCH = 150;
const AUTHORS = 60;

for (const backend of await backends()) {
  describe(`${backend.name}: concurrent ingest`, { skip: backend.skip ?? false }, () => {
    let desk: TestDesk;
    let dispose: () => Promise<void> = async () => {};
    before(async () => {
      let databaseUrl: string | null = null;
      if (backend.name === 'postgres') {
        const opened = await backend.open();
        databaseUrl = opened.databaseUrl;
        dispose = opened.dispose;
      }
      desk = await startTestDesk({ databaseUrl });
    });
    after(async () => {
      await desk?.close();
      await dispose();
    });

    test(`${CLIENTS} clients, shared authors in shuffled order: no 500, every post once`, async () => {
      const token = await desk.tokenFor('admin');
      const random = rng(15);
      let sent = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const requests = Array.from({ length: CLIENTS }, (_, client) => {
          const batch = Array.from({ length: BATCH }, (_, i) => {
            const author = Math.floor(random() * AUTHORS);
            return ingestLine({
              id: `c${client}-r${round}-${i}`,
              text: `The portal is down again for me, client ${client} post ${i}`,
              author: {
                handle: `@shared${author}@uni.social`,
                name: `Shared ${author}`,
                followers: author,
                following: 1,
              },
            });
          });
          sent += batch.length;
          return desk.app.inject({
            method: 'POST',
            url: '/api/ingest',
            headers: { authorization: `Bearer ${token}` },
            payload: batch,
          });
        });
        const responses = await Promise.all(requests);
        for (const response of responses) assert.equal(response.statusCode, 200, response.body);
      }
      assert.equal(await countPosts(desk.runtime.store.db), sent);
      const authors = await desk.runtime.store.db
        .selectFrom('authors')
        .select((eb) => eb.fn.sum<number>('post_count').as('posts'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(authors.posts), sent, 'every post counted once on its author');
    });
  });
}
