/**
 * `/api/metrics` gives a Prometheus user the reports' figures live: first response and resolution
 * histograms and reply counters over a generated month (test/reports/month.ts), with the
 * bucket counts worked out by hand, and the whole scrape accepted by `promtool check metrics`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { backends } from '../helpers/backends.js';
import { startTestDesk, type TestDesk } from '../helpers/app.js';
import { generateMonth } from '../reports/month.js';

const promtool = spawnSync('promtool', ['--version']).status === 0;
const promtoolSkip = promtool ? null : 'promtool not found (apt-get install prometheus)';
if (promtoolSkip && process.env.CI === 'true') throw new Error(`cannot run under CI=true: ${promtoolSkip}`);

function sample(text: string, series: string): number | null {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : null;
}

for (const backend of await backends()) {
  describe(`${backend.name}: service metrics`, { skip: backend.skip ?? false }, () => {
    let desk: TestDesk;
    let dispose: () => Promise<void> = async () => {};
    let body = '';
    before(async () => {
      const opened = await backend.open();
      dispose = opened.dispose;
      desk = await startTestDesk({ databaseUrl: opened.databaseUrl });
      await generateMonth(desk.runtime.store);
      const admin = await desk.tokenFor('admin');
      const response = await desk.app.inject({
        method: 'GET',
        url: '/api/metrics',
        headers: { authorization: `Bearer ${admin}` },
      });
      assert.equal(response.statusCode, 200);
      body = response.body;
    });
    after(async () => {
      await desk?.close();
      await dispose();
    });

    test('first response and resolution histograms and reply counters match the month', () => {
      // First replies after d×10 min for d not a multiple of 5: ≤ 30 min for d ≤ 3, ≤ 1 h for d ∈ {1,2,3,4,6}.
      assert.equal(sample(body, 'earshot_ticket_first_response_seconds_bucket{le="1800",source="mast"}'), 3);
      assert.equal(sample(body, 'earshot_ticket_first_response_seconds_bucket{le="3600",source="mast"}'), 5);
      assert.equal(sample(body, 'earshot_ticket_first_response_seconds_count{source="mast"}'), 24);
      assert.equal(sample(body, 'earshot_ticket_first_response_seconds_sum{source="mast"}'), 600 * 360);
      // Resolved after d hours for even d: ≤ 1 day for d = 2…24.
      assert.equal(sample(body, 'earshot_ticket_resolution_seconds_bucket{le="86400",source="mast"}'), 12);
      assert.equal(sample(body, 'earshot_ticket_resolution_seconds_count{source="mast"}'), 15);
      assert.equal(sample(body, 'earshot_replies_total{source="mast"}'), 25);
    });

    test('promtool check metrics accepts the scrape', { skip: promtoolSkip ?? false }, () => {
      const result = spawnSync('promtool', ['check', 'metrics'], { input: body });
      assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    });
  });
}
