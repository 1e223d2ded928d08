/**
 * Which streamed posts the Bluesky source wants: the same ones its polls read, decided from the
 * record alone. A stream carries every post of its repos (a relay: the whole network), so this runs
 * on each one and keeps no state. Mentions (a mention facet naming our DID, or `@handle` in the
 * text), replies into our threads and quotes of our posts stand in for the notifications feed;
 * every word of a search query in the text (case-insensitive; a `#tag` also matches a tag facet)
 * stands in for search; a watched account's posts for its repo feed.
 */

export interface StreamInterest {
  /** The desk account's DID and handle. */
  readonly did: string;
  readonly handle: string;
  /** Mentions, replies and quotes (the `watchNotifications` option). */
  readonly notifications: boolean;
  readonly searchQueries: readonly string[];
  /** DIDs of watched accounts. */
  readonly accounts: ReadonlySet<string>;
}

const MENTION = 'app.bsky.richtext.facet#mention';
const TAG = 'app.bsky.richtext.facet#tag';

/** Why a streamed post is wanted (`mention`, `reply`, `quote`, `search`, `account`), or null. */
export function wantedBecause(interest: StreamInterest, did: string, record: unknown): string | null {
  if (!isObject(record) || typeof record.text !== 'string') return null;
  if (interest.accounts.has(did)) return 'account';
  const ours = `at://${interest.did}/`;
  if (interest.notifications) {
    if (facetFeatures(record).some((feature) => feature.$type === MENTION && feature.did === interest.did))
      return 'mention';
    if (mentionsHandle(record.text, interest.handle)) return 'mention';
    const reply = isObject(record.reply) ? record.reply : null;
    if (reply && [reply.parent, reply.root].some((ref) => isObject(ref) && String(ref.uri).startsWith(ours)))
      return 'reply';
    if (quotedUris(record.embed).some((uri) => uri.startsWith(ours))) return 'quote';
  }
  if (interest.searchQueries.length > 0) {
    const words = wordsOf(record.text);
    const tags = new Set(
      facetFeatures(record)
        .filter((feature) => feature.$type === TAG && typeof feature.tag === 'string')
        .map((feature) => `#${String(feature.tag).toLowerCase()}`),
    );
    for (const query of interest.searchQueries) {
      const terms = [...wordsOf(query.replace(/["']/g, ' '), false)];
      if (terms.length > 0 && terms.every((term) => words.has(term) || tags.has(term))) return 'search';
    }
  }
  return null;
}

function mentionsHandle(text: string, handle: string): boolean {
  if (!handle) return false;
  const escaped = handle.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w@.])@${escaped}(?![\\w.-]*[\\w-])`, 'i').test(text);
}

/** Lower-cased words of a text; `#tags` keep their `#` and are also counted without it. */
function wordsOf(text: string, bareTags = true): Set<string> {
  const words = new Set<string>();
  for (const match of text.toLowerCase().matchAll(/#?[\p{L}\p{N}_][\p{L}\p{N}_'-]*/gu)) {
    const word = match[0].replace(/['-]+$/, '');
    words.add(word);
    if (bareTags && word.startsWith('#')) words.add(word.slice(1));
  }
  return words;
}

function facetFeatures(record: Record<string, unknown>): Record<string, unknown>[] {
  if (!Array.isArray(record.facets)) return [];
  return record.facets.flatMap((facet) =>
    isObject(facet) && Array.isArray(facet.features) ? facet.features.filter(isObject) : [],
  );
}

/** The URIs a quote embed points at (`embed.record`, or `embed.record.record` with media). */
function quotedUris(embed: unknown): string[] {
  if (!isObject(embed) || !isObject(embed.record)) return [];
  const inner = embed.record;
  return [inner.uri, isObject(inner.record) ? inner.record.uri : undefined].filter(
    (uri): uri is string => typeof uri === 'string',
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
