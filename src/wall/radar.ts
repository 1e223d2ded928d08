/**
 * The rumour radar: questions and concerns that keep coming back, grouped by what they say, shown
 * to the team as "asked 14 times in 3 days, no official answer". It reuses the incident
 * clustering's text features (`featuresOf` in `desk/cluster.ts`: weighted terms, subjects and
 * MinHash signatures), read-only; the incident clusterer itself joins only problem reports, so
 * questions are grouped here by the weighted overlap of those features.
 */
import { featuresOf, type Features } from '../desk/cluster.js';
import type { WallThread } from '../domain/wall.js';

export interface RadarEntry {
  /** The most "me too"-voted title of the group. */
  readonly question: string;
  readonly asked: number;
  readonly days: number;
  readonly threadIds: string[];
  readonly officiallyAnswered: boolean;
}

/** Weighted share of terms two texts have in common (0…1) at which they ask the same thing. */
export const SAME_QUESTION = 0.5;

export function rumourRadar(
  threads: readonly WallThread[],
  options: { days: number; minAsked?: number; now: Date },
): RadarEntry[] {
  const since = options.now.getTime() - options.days * 86_400_000;
  const groups: { features: Features[]; threads: WallThread[] }[] = [];
  for (const thread of threads) {
    if (thread.kind === 'idea' || Date.parse(thread.createdAt) < since) continue;
    const features = featuresOf(`${thread.title}\n${thread.body}`);
    let best: (typeof groups)[number] | null = null;
    let bestScore = 0;
    for (const group of groups) {
      const score = Math.max(...group.features.map((other) => overlap(features, other)));
      if (score > bestScore) {
        best = group;
        bestScore = score;
      }
    }
    if (best && bestScore >= SAME_QUESTION) {
      best.features.push(features);
      best.threads.push(thread);
    } else groups.push({ features: [features], threads: [thread] });
  }
  return groups
    .filter((group) => group.threads.length >= (options.minAsked ?? 3))
    .map((group) => ({
      question: [...group.threads].sort((a, b) => b.votes - a.votes)[0]!.title,
      asked: group.threads.length + group.threads.reduce((sum, thread) => sum + thread.votes, 0),
      days: options.days,
      threadIds: group.threads.map((thread) => thread.id),
      officiallyAnswered: group.threads.some((thread) => thread.officialReplyId !== null),
    }))
    .sort((a, b) => Number(a.officiallyAnswered) - Number(b.officiallyAnswered) || b.asked - a.asked);
}

/** Weighted Jaccard of two texts' terms. */
function overlap(a: Features, b: Features): number {
  let shared = 0;
  let total = 0;
  for (const key of new Set([...a.terms.keys(), ...b.terms.keys()])) {
    const x = a.terms.get(key) ?? 0;
    const y = b.terms.get(key) ?? 0;
    shared += Math.min(x, y);
    total += Math.max(x, y);
  }
  return total === 0 ? 0 : shared / total;
}
