/** `npm run bench`: every benchmark in one run. Benchmarks are not tests; see docs/benchmarks.md. */
import { run as ingest } from './ingest.js';
import { run as sentiment } from './sentiment.js';
import { run as crisis } from './crisis.js';
import { run as crisisReal } from './crisis-real.js';
import { run as kind } from './kind.js';
import { run as kindModel } from './kind-model.js';
import { run as sentimentMultilingual } from './sentiment-multilingual.js';
import { run as analyzeSpeed } from './analyze-speed.js';
import { run as cluster } from './cluster.js';
import { run as reports } from './reports.js';

await ingest();
await sentiment();
await crisis();
await crisisReal();
await kind();
await kindModel();
await sentimentMultilingual();
await analyzeSpeed();
await cluster();
await reports();
