/**
 * Topics of a period: the words and two-word phrases ("password reset") found in most posts,
 * with their share of the period's posts beside the previous period's, so a lead sees what people
 * talk about and what is rising. Hashtags count as their word. Counted over the newest
 * `TOPIC_SAMPLE` posts of each period (shares, not totals, are compared, so the two samples may
 * differ in size); a word that nearly every post carries (the organisation's own name) is no topic.
 */
import type { Kysely } from 'kysely';
import { isStopword } from '../analysis/stopwords.js';
import type { Database } from '../store/schema.js';
import { periodPosts, type SampledPost } from '../store/report-topics.js';
import type { Period } from './measures.js';

export interface Topic {
  readonly term: string;
  /** Posts of the period's sample that carry the term. */
  readonly posts: number;
  /** `posts` over the sample size. */
  readonly share: number;
  /** The same share in the previous period; 0 when it did not occur. */
  readonly previousShare: number;
}

export const TOPIC_SAMPLE = 5_000;
/** A term in fewer posts than this is chance, not a topic. */
const MIN_POSTS = 3;
/** A term in more than this share of the posts (with enough posts to tell) is the brand, not a topic. */
const UBIQUITOUS_SHARE = 0.6;
/** A phrase that carries this share of its word's posts replaces the word in the list. */
const PHRASE_COVERS = 0.6;

const WORD = /#?[\p{L}\p{N}][\p{L}\p{N}_'’-]*/gu;

/** The distinct terms of one post: content words and adjacent pairs of them. */
export function termsOf(text: string): Set<string> {
  const cleaned = text.replace(/https?:\/\/\S+/g, ' ').replace(/(^|\s)@[\w.@-]+/g, ' ');
  const terms = new Set<string>();
  let previous: string | null = null;
  for (const match of cleaned.matchAll(WORD)) {
    const word = match[0]
      .replace(/^#/, '')
      .toLowerCase()
      .replace(/['’-]+$/, '');
    if (word.length < 3 || !/\p{L}/u.test(word) || isStopword(word)) {
      previous = null;
      continue;
    }
    terms.add(word);
    if (previous !== null && previous !== word) terms.add(`${previous} ${word}`);
    previous = word;
  }
  return terms;
}

function documentCounts(posts: readonly ReadonlySet<string>[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const terms of posts) for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}

/** The `limit` commonest topics of `current`, with their share in `previous`. */
export function rankTopics(current: readonly string[], previous: readonly string[], limit = 10): Topic[] {
  return rankTermSets(current.map(termsOf), previous.map(termsOf), limit);
}

/** As `rankTopics`, over each post's terms already worked out. */
function rankTermSets(
  current: readonly ReadonlySet<string>[],
  previous: readonly ReadonlySet<string>[],
  limit: number,
): Topic[] {
  if (current.length === 0) return [];
  const counts = documentCounts(current);
  const before = documentCounts(previous);
  // A word in nearly every post is the organisation's own name: neither it nor its phrases are topics.
  const ubiquitous = new Set(
    [...counts]
      .filter(
        ([term, count]) => !term.includes(' ') && current.length >= 20 && count / current.length > UBIQUITOUS_SHARE,
      )
      .map(([term]) => term),
  );
  const ranked = [...counts]
    .filter(([term, count]) => count >= MIN_POSTS && !term.split(' ').some((word) => ubiquitous.has(word)))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  // A phrase that carries most of its word's posts says more than the word: keep the phrase.
  const covered = new Set<string>();
  for (const [term, count] of ranked) {
    if (!term.includes(' ')) continue;
    for (const word of term.split(' ')) if (count >= PHRASE_COVERS * (counts.get(word) ?? 0)) covered.add(word);
  }
  const chosen: Topic[] = [];
  const chosenWords = new Set<string>();
  for (const [term, count] of ranked) {
    if (covered.has(term)) continue;
    const words = term.split(' ');
    // "reset broken" after "password reset" (or "vpn down" after "vpn") is the same topic again.
    if (words.length > 1 && words.some((word) => chosenWords.has(word))) continue;
    for (const word of words) chosenWords.add(word);
    chosen.push({
      term,
      posts: count,
      share: count / current.length,
      previousShare: previous.length === 0 ? 0 : (before.get(term) ?? 0) / previous.length,
    });
    if (chosen.length === limit) break;
  }
  return chosen;
}

/** The topics of `period` in scope, against the period before it. */
export async function periodTopics(
  db: Kysely<Database>,
  sources: readonly string[] | null,
  period: Period,
  previous: Period,
  limit = 10,
): Promise<Topic[]> {
  return (await scopeTopics(db, [sources], period, previous, limit))[0]!;
}

/** The sources with posts in each period, where the caller already knows them (from the post counts). */
export interface PresentSources {
  readonly period: Promise<readonly string[]>;
  readonly previous: Promise<readonly string[]>;
}

/**
 * The topics of each scope (a list of sources, or null for all) for one report. Each source's
 * sample is read once per period, however many scopes name it, and a scope of several sources
 * takes the newest of their samples together (the same posts as reading them at once, without
 * sorting every post of the period); a post's terms are worked out once. With `present`, the
 * sources that had posts in each period, all sources together are the newest of those sources'
 * samples when every one of them is named, without a read of their own.
 */
export async function scopeTopics(
  db: Kysely<Database>,
  scopes: readonly (readonly string[] | null)[],
  period: Period,
  previous: Period,
  limit = 10,
  present?: PresentSources,
): Promise<Topic[][]> {
  const named = [...new Set(scopes.flatMap((scope) => scope ?? []))];
  const everything = scopes.includes(null);
  const read = async (range: Period, sourcesIn: Promise<readonly string[]> | undefined) => {
    const bySource = Promise.all(named.map((source) => periodPosts(db, [source], range.from, range.to, TOPIC_SAMPLE)));
    // Awaited below; a failure while something else is awaited is not left unhandled meanwhile.
    bySource.catch(() => {});
    // Every post of the period is of a named source: the newest of all are the newest of theirs.
    const covered = async () => (await sourcesIn)?.every((source) => named.includes(source)) ?? false;
    const all = everything && !(await covered()) ? periodPosts(db, null, range.from, range.to, TOPIC_SAMPLE) : null;
    all?.catch(() => {});
    const samples = new Map((await bySource).map((sample, index) => [named[index]!, sample]));
    const allSample = everything ? ((await all) ?? newest([...samples.values()], TOPIC_SAMPLE)) : [];
    return (scope: readonly string[] | null): readonly SampledPost[] =>
      scope === null
        ? allSample
        : newest(
            [...new Set(scope)].map((source) => samples.get(source)!),
            TOPIC_SAMPLE,
          );
  };
  const [now, before] = await Promise.all([read(period, present?.period), read(previous, present?.previous)]);
  const terms = new Map<number, Set<string>>();
  const termsOfPost = (post: SampledPost) => {
    let known = terms.get(post.id);
    if (!known) {
      known = termsOf(post.text);
      terms.set(post.id, known);
    }
    return known;
  };
  return scopes.map((scope) => rankTermSets(now(scope).map(termsOfPost), before(scope).map(termsOfPost), limit));
}

/** The `limit` newest of several samples, each newest first. */
function newest(samples: readonly (readonly SampledPost[])[], limit: number): readonly SampledPost[] {
  if (samples.length === 1) return samples[0]!;
  return samples
    .flat()
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : b.id - a.id))
    .slice(0, limit);
}
