/**
 * `GET /api/metrics`: Prometheus text for an admin, read from the store on each scrape, on
 * SQLite and PostgreSQL; other roles are refused.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/backends.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { ingestLine } from '../helpers/posts.js';
import { recordSourceHealth } from '../../src/store/sources.js';

/** The value of one sample line, e.g. `earshot_posts{source="mastodon"}`. */
function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : null;
}

for (const backend of await backends()) {
  describe(`${backend.name}: metrics`, { skip: backend.skip ?? false }, () => {
    let desk: TestDesk;
    let dispose: () => Promise<void> = async () => {};
    before(async () => {
      let databaseUrl: string | null = null;
      if (backend.name === 'postgres') {
        const opened = await backend.open();
        // A fresh schema; the desk opens its own store on it.
        databaseUrl = opened.databaseUrl;
        dispose = opened.dispose;
      }
      desk = await startTestDesk({ databaseUrl });
    });
    after(async () => {
      await desk.close();
      await dispose();
    });

    test('counts posts by source, tickets by status, open alerts and source health; only admins may scrape', async () => {
      const admin = await desk.tokenFor('admin');
      const agent = await desk.tokenFor('agent');
      await desk.app.inject({
        method: 'POST',
        url: '/api/streams',
        headers: { authorization: `Bearer ${admin}` },
        payload: { name: 'Portal', query: 'portal' },
      });
      for (const text of ['The portal is down again', 'portal not loading, 500 error', 'Lovely weather today']) {
        const response = await desk.app.inject({
          method: 'POST',
          url: '/api/ingest',
          headers: { authorization: `Bearer ${admin}` },
          payload: ingestLine({ text }),
        });
        assert.equal(response.statusCode, 200, response.body);
      }
      await recordSourceHealth(desk.runtime.store.db, 'uni-mastodon', {
        status: 'connected',
        posts: 3,
        skipped: 2,
        error: 'HTTP 503 from the instance',
      });

      const refused = await desk.app.inject({ url: '/api/metrics', headers: { authorization: `Bearer ${agent}` } });
      assert.equal(refused.statusCode, 403);
      const response = await desk.app.inject({ url: '/api/metrics', headers: { authorization: `Bearer ${admin}` } });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/plain/);
      const text = response.body;
      assert.equal(sample(text, 'earshot_posts{source="mastodon"}'), 3);
      assert.equal(sample(text, 'earshot_tickets{status="new"}'), 2, 'the two portal reports raised tickets');
      assert.equal(sample(text, 'earshot_source_up{source="uni-mastodon",state="connected"}'), 1);
      assert.equal(sample(text, 'earshot_source_up{source="uni-mastodon",state="failed"}'), 0);
      assert.equal(sample(text, 'earshot_source_skipped{source="uni-mastodon"}'), 2);
      assert.equal(sample(text, 'earshot_source_errors{source="uni-mastodon"}'), 1);
      assert.ok(text.includes('# HELP earshot_alerts_open'));
    });
  });
}
