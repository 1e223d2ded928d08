/**
 * The tone check's false positives: how often it flags replies that are fine. There is no corpus
 * of real agent replies in ../shared (TWCS is reserved), so the replies are the desk's own: the
 * batch-reply composer (`src/desk/batch-reply.ts`) answering every real tweet addressed to a
 * support account in `complaints-social-media` (its phrasing echoes the customer's words), with
 * status and closing updates. Each of them is written to be polite, so every flag is a false
 * positive. For scale, it also counts how many of the customers' own tweets the lexicon flags.
 *
 *   npx tsx bench/tone.ts
 */
import { readFileSync } from 'node:fs';
import { findTone } from '../src/desk/tone.js';
import { proposeReplies, type ReporterPost } from '../src/desk/batch-reply.js';
import { hasSupportTweets, complaintsCsv, parseCsv } from './support-kinds.js';

const UPDATES = [
  { kind: 'status', text: 'Our engineers are looking into it now.' },
  { kind: 'status', text: 'We have found the cause and a fix is on its way.' },
  { kind: 'closing', text: 'This is fixed now: everything should work again.' },
  { kind: 'closing', text: 'The fault is fixed and orders are going through again.' },
] as const;

export async function run(): Promise<void> {
  if (!hasSupportTweets()) {
    console.log('tone: skipped (no complaints-social-media in ../shared)');
    return;
  }
  const rows = parseCsv(readFileSync(complaintsCsv(), 'utf8')).filter(
    (row) => row.length >= 4 && !row[3]!.startsWith('random'),
  );
  const posts: ReporterPost[] = rows.map((row, index) => ({
    postId: index + 1,
    source: 'x',
    externalId: row[0]!,
    authorHandle: `@customer${index + 1}`,
    authorName: null,
    text: row[1]!,
    createdAt: new Date(Date.UTC(2026, 10, 1) + index * 60_000).toISOString(),
    wroteToUs: true,
  }));
  let replies = 0;
  let flagged = 0;
  const examples: string[] = [];
  for (const update of UPDATES) {
    const { proposals } = proposeReplies(update.text, posts, {
      kind: update.kind,
      now: new Date(Date.UTC(2026, 10, 3)),
    });
    for (const proposal of proposals) {
      replies += 1;
      const found = findTone(proposal.body);
      if (found.length > 0) {
        flagged += 1;
        if (examples.length < 5) examples.push(`${found.map((m) => m.phrase).join(', ')} ← ${proposal.body}`);
      }
    }
  }
  const customers = posts.filter((post) => findTone(post.text).length > 0).length;
  const started = performance.now();
  for (const post of posts) findTone(post.text);
  const perText = ((performance.now() - started) * 1000) / posts.length;
  console.log(
    `tone: ${flagged} of ${replies} desk replies flagged (false-positive rate ${((100 * flagged) / replies).toFixed(2)}%); ` +
      `${customers} of ${posts.length} customer tweets carry a flagged phrase; ${perText.toFixed(1)} µs per text`,
  );
  for (const example of examples) console.log(`  false positive: ${example}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
