/**
 * Labelling helper for `test/data/support-kinds.tsv` (guideline: test/data/README.md).
 *
 *   npx tsx scripts/label-support.ts batch [--order pass1|pass2] [--from N] [--count 150]
 *     prints a numbered batch of support tweets to label (pass 2 uses a different order:
 *     SHA-1 of the id), texts joined from ../shared at run time;
 *   npx tsx scripts/label-support.ts agreement
 *     agreement and Cohen's kappa between the two passes, and the confusion of disagreements.
 */
import { createHash } from 'node:crypto';
import { cohensKappa, loadSupportTweets } from '../bench/support-kinds.js';

const [command = 'agreement', ...argv] = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
};

const tweets = loadSupportTweets('all');
if (command === 'batch') {
  const order = option('--order', 'pass1');
  const from = Number(option('--from', '0'));
  const count = Number(option('--count', '150'));
  const sorted = order === 'pass2' ? [...tweets].sort((a, b) => (sha1(a.id) < sha1(b.id) ? -1 : 1)) : tweets;
  for (let i = from; i < Math.min(sorted.length, from + count); i++)
    console.log(`${i}\t${sorted[i]!.id}\t${sorted[i]!.text.replace(/\s+/g, ' ')}`);
} else {
  const { agreement, kappa } = cohensKappa(
    tweets.map((t) => t.pass1),
    tweets.map((t) => t.pass2),
  );
  console.log(
    `${tweets.length} tweets: agreement ${(100 * agreement).toFixed(1)} %, Cohen's kappa ${kappa.toFixed(3)}`,
  );
  const pairs = new Map<string, number>();
  for (const t of tweets)
    if (t.pass1 !== t.pass2) pairs.set(`${t.pass1}/${t.pass2}`, (pairs.get(`${t.pass1}/${t.pass2}`) ?? 0) + 1);
  for (const [pair, n] of [...pairs].sort((a, b) => b[1] - a[1])) console.log(`  ${pair}: ${n}`);
  const counts = new Map<string, number>();
  for (const t of tweets) counts.set(t.kind, (counts.get(t.kind) ?? 0) + 1);
  console.log(
    `final: ${[...counts]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  );
}

function sha1(s: string): string {
  return createHash('sha1').update(s).digest('hex');
}
