/**
 * Resident memory of the analyze stage's models in a fresh process: a bare Node process, then
 * with the analyzer built and every model loaded (one post down each language path, so eld's
 * database is in), after a full GC. Idle server memory is budgeted (issue 15), and the language
 * detector's database is the largest part.
 * Run: `npx tsx bench/analysis-memory.ts` (or `npm run bench`).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface MemoryBench {
  readonly bareMiB: number;
  readonly analyzerMiB: number;
  readonly heapMiB: number;
}

const MiB = 2 ** 20;

async function child(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const bare = process.memoryUsage().rss;
  const { createAnalyzer } = await import('../src/analysis/analyzer.js');
  const analyzer = createAnalyzer();
  // English (function words), Arabic (script), Polish (eld), blank.
  for (const text of ['is the vpn down again?', 'الخدمة لا تعمل منذ الصباح', 'Strona nie działa od rana', ' '])
    analyzer.analyze({ text, author: { handle: '@someone', name: null } });
  gc?.();
  const m = process.memoryUsage();
  process.stdout.write(JSON.stringify({ bareMiB: bare / MiB, analyzerMiB: m.rss / MiB, heapMiB: m.heapUsed / MiB }));
}

export async function run(): Promise<MemoryBench> {
  const result = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--child'],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`analysis-memory child failed: ${result.stderr}`);
  const m = JSON.parse(result.stdout) as MemoryBench;
  console.log(
    `\nAnalyzer memory (fresh process, all models loaded, after GC): RSS ${m.analyzerMiB.toFixed(0)} MiB (bare Node ${m.bareMiB.toFixed(0)} MiB), JS heap ${m.heapMiB.toFixed(0)} MiB`,
  );
  return m;
}

if (process.argv.includes('--child')) await child();
else if (import.meta.url === `file://${process.argv[1]}`) await run();
