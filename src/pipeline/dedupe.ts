/**
 * Dedupe stage: a post is the same post when its (source, external id) is. Drops repeats
 * within the batch and those the store already holds, before any analysis is spent on them.
 */
import type { PostDraft } from '../domain/post.js';

export interface DedupeContext {
  /** Keys (`source\u0000externalId`) of these posts that are already stored. */
  existingKeys(keys: readonly { source: string; externalId: string }[]): Promise<Set<string>>;
}

export interface DedupeResult<T> {
  readonly fresh: T[];
  readonly duplicates: number;
}

export function dedupeKey(post: Pick<PostDraft, 'source' | 'externalId'>): string {
  return `${post.source}\u0000${post.externalId}`;
}

export async function dedupe<T extends PostDraft>(drafts: readonly T[], context: DedupeContext): Promise<DedupeResult<T>> {
  const seen = new Set<string>();
  const unique: T[] = [];
  for (const draft of drafts) {
    const key = dedupeKey(draft);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(draft);
  }
  const stored = unique.length > 0 ? await context.existingKeys(unique) : new Set<string>();
  const fresh = unique.filter((draft) => !stored.has(dedupeKey(draft)));
  return { fresh, duplicates: drafts.length - fresh.length };
}
