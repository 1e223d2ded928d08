import { openStore } from './src/store/open.js';
import { postStats } from './src/store/posts.js';
import { listStreams } from './src/store/streams.js';
const store = await openStore({ databaseUrl: null, dataDir: '/tmp/earshot_speed_search_1m' });
const outages = (await listStreams(store.db))[0]!.id;
// The bench store's posts end when it was built: windows end there, as a live server's would end now.
const end = Date.parse('2026-12-02T07:29:00Z');
for (const [name, span, streamId] of [['1h', 3600e3], ['24h', 86400e3], ['7d', 7 * 86400e3], ['30d', 30 * 86400e3], ['30d one stream', 30 * 86400e3, outages]] as const) {
  const times: number[] = [];
  let total = 0;
  for (let i = 0; i < 41; i++) {
    const t = performance.now();
    const s = await postStats(store.db, { since: new Date(end - span - 17_123).toISOString(), until: new Date(end + 60e3 - 17_123).toISOString(), ...(streamId ? { streamId } : {}), bucket: span <= 6 * 3600e3 ? 'minute' : span <= 7 * 86400e3 ? 'hour' : 'day' });
    if (i > 0) times.push(performance.now() - t);
    total = s.total;
  }
  times.sort((a, b) => a - b);
  console.log(`stats ${name.padEnd(16)} posts ${String(total).padStart(8)}  min ${times[0]!.toFixed(1)}  p50 ${times[20]!.toFixed(1)}  p95 ${times[37]!.toFixed(1)} ms`);
}
await store.close();
