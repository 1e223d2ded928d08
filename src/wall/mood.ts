/**
 * Mood over time: sentiment and volume per space and ISO week, anonymous posts included, never
 * shown for a week with fewer than `MOOD_MIN_GROUP` posts (a small group's mood points at people).
 */
import { SENTIMENTS, type Sentiment } from '../domain/post.js';
import { MOOD_MIN_GROUP } from '../domain/wall.js';

export interface MoodWeek {
  /** Monday of the week (UTC), `2026-11-30`. */
  readonly week: string;
  readonly posts: number;
  /** Mean sentiment score −1…1; null under the minimum group size. */
  readonly mood: number | null;
  readonly shares: Record<Sentiment, number> | null;
}

export function moodByWeek(
  items: readonly { at: string; sentiment: Sentiment; score: number }[],
  minGroup = MOOD_MIN_GROUP,
): MoodWeek[] {
  const weeks = new Map<string, { sentiment: Sentiment; score: number }[]>();
  for (const item of items) {
    const week = mondayOf(item.at);
    const list = weeks.get(week) ?? [];
    list.push(item);
    weeks.set(week, list);
  }
  return [...weeks.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([week, list]) => {
      if (list.length < minGroup) return { week, posts: list.length, mood: null, shares: null };
      const shares = Object.fromEntries(
        SENTIMENTS.map((s) => [s, list.filter((item) => item.sentiment === s).length / list.length]),
      ) as Record<Sentiment, number>;
      return { week, posts: list.length, mood: list.reduce((sum, item) => sum + item.score, 0) / list.length, shares };
    });
}

function mondayOf(iso: string): string {
  const day = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  const offset = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - offset * 86_400_000).toISOString().slice(0, 10);
}
