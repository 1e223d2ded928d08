/**
 * The report reads each period once for all its sections and narrows the rows to each service in
 * memory, and reads topic samples once per source. Here, on the generated month (`month.ts`) with
 * services of one source, of two, and with and without hours, every section of the report equals
 * the same section measured alone (`measure` reads only that scope's rows, filtered in SQL), and
 * its topics equal ranking that scope's posts read in one query, on SQLite and PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BusinessCalendar } from '../../src/domain/calendar.js';
import type { Service } from '../../src/domain/service.js';
import { measure, type Period, previousPeriod } from '../../src/reports/measures.js';
import { buildReport, type ReportSection } from '../../src/reports/report.js';
import { rankTopics, TOPIC_SAMPLE } from '../../src/reports/topics.js';
import { insertPosts } from '../../src/store/posts.js';
import { periodPosts } from '../../src/store/report-topics.js';
import { createService } from '../../src/store/services.js';
import type { Store } from '../../src/store/open.js';
import { backends } from '../helpers/backends.js';
import { newPost } from '../helpers/posts.js';
import { generateMonth, type Month, NOVEMBER } from './month.js';

const OFFICE: BusinessCalendar = {
  timeZone: 'Europe/Amsterdam',
  weekly: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day: day as 'mon', from: '09:00', to: '17:00' })),
  holidays: ['2026-11-26'],
};
const NOW = new Date('2026-12-15T00:00:00.000Z');

/** Posts with words to rank, on both sources, some at the very same instant (ties broken by id). */
async function addTexts(store: Store): Promise<void> {
  const texts = ['wifi keeps dropping', 'exam results missing', 'library opening hours', 'parking permit late'];
  const posts = [];
  for (let i = 0; i < 24; i++)
    for (const [source, month] of [
      ['mast', 10],
      ['rss', 10],
      ['mast', 9],
    ] as const)
      posts.push(
        newPost({
          source,
          externalId: `text-${source}-${month}-${i}`,
          text: `${texts[(i + (source === 'rss' ? 1 : 0)) % texts.length]} ${i % 3 ? 'again' : 'today'}`,
          createdAt: new Date(Date.UTC(2026, month, 2 + (i % 20), 15, i % 4)).toISOString(),
        }),
      );
  await insertPosts(store.db, posts);
}

for (const backend of await backends()) {
  describe(`${backend.name}: the report's one read per period equals measuring each section alone`, {
    skip: backend.skip ?? false,
  }, () => {
    let opened: Awaited<ReturnType<typeof backend.open>>;
    let month: Month;
    before(async () => {
      opened = await backend.open();
      month = await generateMonth(opened.store);
      await addTexts(opened.store);
      const at = NOW.toISOString();
      await createService(
        opened.store.db,
        { name: 'Mast care', owner: 'Lead', team: 'north', sources: ['mast'], hours: OFFICE },
        at,
      );
      await createService(opened.store.db, { name: 'Rss care', owner: 'Lead', team: 'north', sources: ['rss'] }, at);
      await createService(
        opened.store.db,
        { name: 'Both', owner: 'Lead', team: 'south', sources: ['rss', 'mast'], hours: OFFICE },
        at,
      );
    });
    after(async () => opened?.dispose());

    const alone = async (sources: readonly string[] | null, calendar: BusinessCalendar | null, agentId?: number) => {
      const db = opened.store.db;
      const options = { scope: { sources, agentId }, calendar, asOf: NOW.toISOString() };
      const previous = previousPeriod(NOVEMBER);
      const sample = (period: Period) =>
        periodPosts(db, sources, period.from, period.to, TOPIC_SAMPLE).then((rows) => rows.map((row) => row.text));
      return {
        current: await measure(db, NOVEMBER, options),
        previous: await measure(db, previous, options),
        topics: rankTopics(await sample(NOVEMBER), await sample(previous)),
      };
    };
    const same = (section: ReportSection, expected: Awaited<ReturnType<typeof alone>>) => {
      assert.deepEqual(section.current, expected.current, section.title);
      assert.deepEqual(section.previous, expected.previous, section.title);
      assert.deepEqual(section.topics, expected.topics, section.title);
    };

    test('every service and all together', async () => {
      const report = await buildReport(opened.store.db, { period: NOVEMBER }, NOW);
      assert.equal(report.services.length, 3);
      for (const section of report.services) {
        const service = section.service as Service;
        same(section, await alone(service.sources, service.hours ?? null));
      }
      same(report.overall, await alone(null, null));
      // Not trivially equal: the sections differ from each other and from the whole.
      const rss = report.services.find((section) => section.title === 'Rss care')!;
      assert.notEqual(rss.current.volumeIn, report.overall.current.volumeIn);
      assert.ok(report.overall.topics.length > 0);
    });

    test('a team, one service, and an agent filter', async () => {
      const team = await buildReport(opened.store.db, { period: NOVEMBER, team: 'north' }, NOW);
      assert.equal(team.services.length, 2);
      same(team.overall, await alone(['mast', 'rss'], null));
      for (const section of team.services)
        same(section, await alone(section.service!.sources, section.service!.hours ?? null));

      const mast = team.services.find((section) => section.service!.name === 'Mast care')!.service!;
      const one = await buildReport(opened.store.db, { period: NOVEMBER, serviceId: mast.id }, NOW);
      assert.equal(one.single, true);
      same(one.overall, await alone(['mast'], OFFICE));
      same(one.services[0]!, await alone(['mast'], OFFICE));

      const bob = await buildReport(opened.store.db, { period: NOVEMBER, agentId: month.bob }, NOW);
      assert.ok(bob.overall.current.tickets > 0);
      for (const section of bob.services) {
        const service = section.service!;
        const expected = await alone(service.sources, service.hours ?? null, month.bob);
        assert.deepEqual(section.current, expected.current, service.name);
        assert.deepEqual(section.previous, expected.previous, service.name);
      }
    });
  });
}
