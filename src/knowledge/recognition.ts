/**
 * Credit for sharing what you know: a contributor's page (articles written and improved, how
 * often they were read, "helped" votes, replies that linked them), badges for milestones, and
 * a monthly leaderboard. Everyone on the desk may see it, like a public profile.
 */
import { notFound } from '../domain/errors.js';
import type { Article } from '../domain/knowledge.js';
import type { Store } from '../store/open.js';
import { type ContributionCounts, contributionCounts, contributorIds, listArticles } from '../store/articles.js';
import { getUser, listUsers } from '../store/users.js';

export interface Badge {
  readonly id: string;
  readonly label: string;
}

/** Milestones, in the order they are usually earned. */
const BADGES: readonly { id: string; label: string; earned: (c: ContributionCounts) => boolean }[] = [
  { id: 'first-article', label: 'First article', earned: (c) => c.written >= 1 },
  { id: 'improver', label: 'Improved an article', earned: (c) => c.improved >= 1 },
  { id: 'helpful', label: 'Helped someone', earned: (c) => c.helped >= 1 },
  { id: 'linked', label: 'Linked in a reply', earned: (c) => c.linkedReplies >= 1 },
  { id: 'prolific', label: 'Ten articles', earned: (c) => c.written >= 10 },
  { id: 'well-read', label: '100 views', earned: (c) => c.views >= 100 },
  { id: 'trusted', label: '25 helped votes', earned: (c) => c.helped >= 25 },
];

export function badgesFor(counts: ContributionCounts): Badge[] {
  return BADGES.filter((badge) => badge.earned(counts)).map(({ id, label }) => ({ id, label }));
}

export interface ContributorPage {
  readonly user: { id: number; username: string; displayName: string };
  readonly counts: ContributionCounts;
  readonly badges: Badge[];
  readonly articles: Article[];
}

export async function contributorPage(store: Store, userId: number): Promise<ContributorPage> {
  const user = await getUser(store.db, userId);
  if (!user) throw notFound('User', userId);
  const counts = await contributionCounts(store.db, userId);
  return {
    user: { id: user.id, username: user.username, displayName: user.displayName },
    counts,
    badges: badgesFor(counts),
    articles: await listArticles(store.db, { authorId: userId }),
  };
}

export interface LeaderboardRow {
  readonly userId: number;
  readonly displayName: string;
  readonly score: number;
  readonly counts: ContributionCounts;
}

/**
 * The month's contributors by score: 5 per article written, 2 per improvement, 3 per "helped"
 * vote, 2 per reply that linked one of their articles (views are not scored: they are easy to inflate).
 */
export async function monthlyLeaderboard(store: Store, month: string): Promise<LeaderboardRow[]> {
  const from = new Date(`${month}-01T00:00:00.000Z`);
  const to = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1));
  const names = new Map((await listUsers(store.db)).map((user) => [user.id, user.displayName]));
  const rows: LeaderboardRow[] = [];
  for (const userId of await contributorIds(store.db)) {
    const counts = await contributionCounts(store.db, userId, { from: from.toISOString(), to: to.toISOString() });
    const score = counts.written * 5 + counts.improved * 2 + counts.helped * 3 + counts.linkedReplies * 2;
    if (score > 0) rows.push({ userId, displayName: names.get(userId) ?? `#${userId}`, score, counts });
  }
  return rows.sort((a, b) => b.score - a.score || a.userId - b.userId);
}
