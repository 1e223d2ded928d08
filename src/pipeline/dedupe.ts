/**
 * Dedupe stage: a post is the same post when its (source, external id) is. Drops repeats
 * within the batch and those the store already holds, before any analysis is spent on them.
 */
import { postKey, type PostDraft } from '../domain/post.js';

export interface DedupeContext {
  /** Keys (`postKey`) of these posts that are already stored. */
  existingKeys(keys: readonly { source: string; externalId: string }[]): Promise<Set<string>>;
}

export interface DedupeResult<T> {
  readonly fresh: T[];
  readonly duplicates: number;
}

export async function dedupe<T extends PostDraft>(
  drafts: readonly T[],
  context: DedupeContext,
): Promise<DedupeResult<T>> {
  const seen = new Set<string>();
  const unique: T[] = [];
  for (const draft of drafts) {
    const key = postKey(draft.source, draft.externalId);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(draft);
  }
  const stored = unique.length > 0 ? await context.existingKeys(unique) : new Set<string>();
  const fresh = unique.filter((draft) => !stored.has(postKey(draft.source, draft.externalId)));
  return { fresh, duplicates: drafts.length - fresh.length };
}
