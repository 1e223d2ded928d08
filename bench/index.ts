/** `npm run bench`: every benchmark in one run. Benchmarks are not tests; see docs/benchmarks.md. */
import { run as ingest } from './ingest.js';
import { run as sentiment } from './sentiment.js';
import { run as crisis } from './crisis.js';
import { run as crisisReal } from './crisis-real.js';
import { run as kind } from './kind.js';
import { run as kindModel } from './kind-model.js';
import { run as sentimentMultilingual } from './sentiment-multilingual.js';
import { run as analyzeSpeed } from './analyze-speed.js';
import { run as analysisMemory } from './analysis-memory.js';
import { run as cluster } from './cluster.js';
import { run as search } from './search.js';
import { run as abuse } from './abuse.js';
import { run as reports } from './reports.js';
import { run as scale } from './scale.js';
import { run as tone } from './tone.js';
import { run as channelLatency } from './channel-latency.js';

await ingest({ posts: 20_000 });
await sentiment();
await crisis();
await crisisReal();
await kind();
await kindModel();
await sentimentMultilingual();
await analyzeSpeed();
await analysisMemory();
await cluster();
// 1M posts take minutes to build on this machine; `npx tsx bench/search.ts` alone for the full size.
await search({ posts: 100_000 });
await abuse();
await reports();
await tone();
// Needs NATS with JetStream and EARSHOT_TEST_DATABASE_URL; says why it skips otherwise.
await scale();
// Real local peers (Mastodon fake, Dovecot when installed, a feed server); skips mail without Dovecot.
await channelLatency({ samples: 10 });
