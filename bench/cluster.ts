/**
 * Clustering cost per post against the number of live clusters: the same 20,000 real posts (the
 * eleven CrisisLexT26 timelines in `../shared/data/crisis-timelines`, all within one clustering
 * window) go through a clusterer that keeps at most 100, then at most 5,000 live clusters (the
 * least recently joined are dropped), then the same 1,000 real support tweets labelled
 * complaints (`../shared/data/complaints-social-media`) are assigned and timed in CPU time. Cost per post should not grow with the live clusters: the target is
 * within 20 % from 100 to 5,000. Nothing is tuned on these files. Run alone:
 * `npx tsx bench/cluster.ts`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Clusterer } from '../src/desk/cluster.js';
import { sharedDir } from './tweeteval.js';
import { complaintsCsv, hasSupportTweets, parseCsv } from './support-kinds.js';

export interface ClusterBenchResult {
  /** Live clusters → µs per measured post (median of the rounds). */
  readonly microsPerPost: Record<number, number>;
  /** Cost at the largest size over cost at the smallest. */
  readonly ratio: number;
}

const LIVE = [100, 5000] as const;
const ROUNDS = 5;
const FILL = 20_000;
const START = Date.parse('2026-11-21T09:00:00Z');

export async function run(
  options: { log?: (line: string) => void; shared?: string } = {},
): Promise<ClusterBenchResult | null> {
  const log = options.log ?? console.log;
  const shared = options.shared ?? sharedDir();
  const timelines = join(shared, 'data', 'crisis-timelines');
  if (!existsSync(timelines) || !hasSupportTweets(shared)) {
    log('\nClustering cost: skipped (no ../shared/data crisis timelines or complaints; set EARSHOT_SHARED_DIR)');
    return null;
  }
  const fill = readdirSync(timelines)
    .filter((name) => name.endsWith('.ndjson'))
    .sort()
    .flatMap((name) =>
      readFileSync(join(timelines, name), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { text: string }).text),
    )
    .slice(0, FILL);
  const measured = parseCsv(readFileSync(complaintsCsv(shared), 'utf8'))
    .filter((row) => row[2] === '1')
    .map((row) => row[1]!)
    .slice(0, 1000);

  const microsPerPost: Record<number, number> = {};
  const rounds = new Map<number, number[]>(LIVE.map((live) => [live, []]));
  // Sizes take turns, after a warm-up round that is not counted (the JIT and the heap settle).
  for (let round = -1; round < ROUNDS; round += 1) {
    for (const live of LIVE) {
      const clusterer = new Clusterer({ maxClusters: live });
      let id = 0;
      // All in one window: nothing expires by time, only by the cap on live clusters.
      for (const text of fill) clusterer.assign({ id: ++id, text, at: START + id, author: `fill${id}` });
      if (clusterer.size < live) throw new Error(`only ${clusterer.size} clusters from the timelines`);
      // CPU time, not wall time: the machine may be shared.
      const started = process.cpuUsage();
      for (const text of measured) clusterer.assign({ id: ++id, text, at: START + id, author: `m${id}` });
      if (round >= 0) rounds.get(live)!.push(cpuMicros(process.cpuUsage(started)) / measured.length);
    }
  }
  for (const live of LIVE) microsPerPost[live] = round(median(rounds.get(live)!));
  const ratio = round(microsPerPost[LIVE[1]]! / microsPerPost[LIVE[0]]!, 2);
  log(
    `\nClustering cost per post (${measured.length} real complaint tweets after ${fill.length} crisis-timeline posts; CPU time, median of ${ROUNDS} rounds)`,
  );
  for (const live of LIVE) log(`  ${String(live).padStart(5)} live clusters: ${microsPerPost[live]} µs/post`);
  log(`  ${LIVE[1]} / ${LIVE[0]}: ×${ratio} (target ≤ ×1.2)`);
  return { microsPerPost, ratio };
}

function cpuMicros(usage: NodeJS.CpuUsage): number {
  return usage.user + usage.system;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
