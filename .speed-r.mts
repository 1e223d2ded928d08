import { openStore } from './src/store/open.js';
import { periodFacts } from './src/store/report-facts.js';
import { measuresFrom } from './src/reports/measures.js';
import { listServices } from './src/store/services.js';
const store = await openStore({ databaseUrl: null, dataDir: '/tmp/earshot_speed_reports_1m' });
const period = { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' };
const services = await listServices(store.db);
for (const scope of [{ sources: null }, { sources: ['mastodon'] }]) {
  for (let i = 0; i < 2; i++) {
    let t = performance.now();
    const f = await periodFacts(store.db, scope, period.from, period.to);
    const tf = performance.now() - t; t = performance.now();
    measuresFrom(f, period, { scope, calendar: services[0]!.hours ?? null });
    console.log(JSON.stringify(scope), 'facts', tf.toFixed(0), 'measures(cal)', (performance.now() - t).toFixed(0), 'tickets', f.tickets.length);
  }
}
await store.close();
