/**
 * The crisis watch rebuilt from the store, on SQLite and PostgreSQL: a watch that starts late
 * (the node taking over the `watches` lease) replays the stored posts and holds the same windows
 * as the watch that heard them live; an alert the store holds open is adopted, not raised again;
 * a burst the store never raised is raised once; a post both replayed and still on the bus counts once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/backends.js';
import { newPost } from '../helpers/posts.js';
import { poisson, rng } from '../helpers/random.js';
import type { Store } from '../../src/store/open.js';
import { InProcessBus } from '../../src/pipeline/bus.js';
import { getPostsByIds, insertPosts, type NewPost } from '../../src/store/posts.js';
import { createStream } from '../../src/store/streams.js';
import { listAlerts } from '../../src/store/alerts.js';
import { startCrisisWatch, type CrisisWatch } from '../../src/alerts/crisis-watch.js';
import type { Alert } from '../../src/domain/alert.js';

const MINUTE = 60_000;
const START = Date.UTC(2026, 10, 20, 8, 0);
/** Minutes of traffic; the burst on the wifi stream runs from BURST_FROM to the end. */
const MINUTES = 80;
const BURST_FROM = 70;

for (const backend of await backends()) {
  describe(`${backend.name}: crisis watch rebuilt from the store`, { skip: backend.skip ?? false }, () => {
    let opened: Awaited<ReturnType<typeof backend.open>>;
    let store: Store;
    let now = START;
    const clock = () => new Date(now);
    const watches: CrisisWatch[] = [];
    let wifi = 0;
    let printer = 0;
    let live: CrisisWatch;

    before(async () => {
      opened = await backend.open();
      store = opened.store;
      wifi = (await createStream(store.db, { name: 'Wifi', query: 'wifi' })).id;
      printer = (await createStream(store.db, { name: 'Printer', query: 'printer' })).id;
      // The live watch hears every stored post at the minute it was stored, as the holder did.
      const bus = new InProcessBus();
      live = startCrisisWatch({ store, bus, clock, incidents: false, tickEveryMs: 0 });
      watches.push(live);
      const random = rng(20);
      for (let minute = 0; minute < MINUTES; minute += 1) {
        now = START + minute * MINUTE + 30_000;
        const drafts: NewPost[] = [];
        const add = (count: number, streamIds: number[], text: string, negative: boolean) => {
          for (let i = 0; i < count; i += 1)
            drafts.push(
              newPost({
                text,
                streamIds,
                sentiment: negative ? 'negative' : 'neutral',
                kind: negative ? 'complaint' : 'other',
                // Written up to 20 s before it was stored: the watch's watermark sees that lateness.
                createdAt: new Date(now - Math.floor(random() * 20_000)).toISOString(),
              }),
            );
        };
        add(poisson(random, 2), [wifi], 'the wifi in the library', random() < 0.3);
        add(poisson(random, 1), [printer], 'printer on floor 2', false);
        add(poisson(random, 1), [], 'something else entirely', false);
        if (minute >= BURST_FROM) add(40, [wifi], 'wifi is down everywhere', true);
        const inserted = await insertPosts(store.db, drafts, clock().toISOString());
        const posts = (
          await getPostsByIds(
            store.db,
            inserted.map((row) => row.id),
          )
        ).sort((a, b) => a.id - b.id);
        if (posts.length > 0) await bus.publish('posts.stored', { posts });
      }
      now += 20_000;
      await live.tick();
    });
    after(async () => {
      for (const watch of watches) watch.stop();
      await opened?.dispose();
    });

    const burstAlerts = async (): Promise<Alert[]> =>
      (await listAlerts(store.db, { limit: 500 })).filter((alert) => alert.key === `burst:stream:${wifi}`);

    test('the live watch raised the wifi burst once and holds it open', async () => {
      assert.ok(live.detector.inBurst(`stream:${wifi}`));
      const alerts = await burstAlerts();
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]!.status, 'open');
    });

    test('windows rebuilt from the stored posts equal the windows built live', async () => {
      const bus = new InProcessBus();
      const raised: Alert[] = [];
      bus.subscribe('alerts.raised', ({ alert }) => void raised.push(alert));
      const rebuilt = startCrisisWatch({ store, bus, clock, incidents: false, tickEveryMs: 0, rebuild: true });
      watches.push(rebuilt);
      await rebuilt.ready;
      const keys = live.detector.keys().sort();
      assert.deepEqual(keys, ['all', `stream:${printer}`, `stream:${wifi}`].sort());
      assert.deepEqual(rebuilt.detector.keys().sort(), keys);
      for (const key of keys) {
        const heard = live.detector.windows(key)!;
        const replayed = rebuilt.detector.windows(key)!;
        assert.ok(heard.counts.reduce((sum, n) => sum + n, 0) > 0, key);
        const { level: heardLevel, ...heardRest } = heard;
        const { level: replayedLevel, ...replayedRest } = replayed;
        assert.deepEqual(replayedRest, heardRest, key);
        assert.ok(Math.abs(replayedLevel - heardLevel) <= 1e-9 * Math.max(1, heardLevel), `${key} level`);
        assert.equal(rebuilt.detector.baseline(key, now), live.detector.baseline(key, now), `${key} baseline`);
      }
      // The burst under way is the one the store holds open: adopted, not raised or paged again.
      assert.ok(rebuilt.detector.inBurst(`stream:${wifi}`));
      assert.equal(raised.length, 0);
      assert.equal((await burstAlerts()).length, 1);

      // A post stored just before the takeover, whose `posts.stored` arrives after it, counts once.
      const before = rebuilt.detector.windows(`stream:${wifi}`)!.counts.reduce((sum, n) => sum + n, 0);
      const [last] = await getPostsByIds(store.db, [Math.max(...(await lastIds(store)))]);
      await bus.publish('posts.stored', { posts: [last!] });
      await bus.drain();
      const afterRepeat = rebuilt.detector.windows(`stream:${wifi}`)!.counts.reduce((sum, n) => sum + n, 0);
      assert.equal(afterRepeat, before);
    });

    test('a burst the store never raised is raised once by the watch that takes over', async () => {
      // The holder died before it decided: the store has no alert for the burst under way.
      await store.db.deleteFrom('alerts').where('key', '=', `burst:stream:${wifi}`).execute();
      const bus = new InProcessBus();
      const raised: Alert[] = [];
      bus.subscribe('alerts.raised', ({ alert }) => void raised.push(alert));
      const rebuilt = startCrisisWatch({ store, bus, clock, incidents: false, tickEveryMs: 0, rebuild: true });
      watches.push(rebuilt);
      await rebuilt.ready;
      await rebuilt.tick();
      const alerts = await burstAlerts();
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]!.status, 'open');
      assert.deepEqual(
        raised.map((alert) => alert.key),
        [`burst:stream:${wifi}`],
      );
      // A second takeover finds it open and raises nothing.
      const again = startCrisisWatch({ store, bus, clock, incidents: false, tickEveryMs: 0, rebuild: true });
      watches.push(again);
      await again.ready;
      await again.tick();
      assert.equal(raised.length, 1);
      assert.equal((await burstAlerts()).length, 1);
    });
  });
}

async function lastIds(store: Store): Promise<number[]> {
  const rows = await store.db
    .selectFrom('post_streams')
    .select('post_id')
    .orderBy('post_id', 'desc')
    .limit(1)
    .execute();
  return rows.map((row) => row.post_id);
}
