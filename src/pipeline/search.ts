/**
 * Search with the stream query language: `q` is parsed by the one parser (query.ts), lowered to
 * a condition the store can run on its indexes, and every candidate the index returns is then
 * checked by the same matcher streams use. So `vpn OR portal`, `-kind:praise` or `"thank you"`
 * mean in search exactly what they mean in a stream.
 */
import type { Store } from '../store/open.js';
import {
  searchPosts as searchStore,
  type PostCondition,
  type PostFilter,
  type PostPage,
} from '../store/post-search.js';
import { sourceKinds } from '../store/sources.js';
import { compileQueryNode, matchablePost, parseQuery, type QueryNode } from './query.js';

export interface SearchFilter extends Omit<PostFilter, 'where' | 'accept'> {
  /** A query in the stream query language; syntax errors are ERR_QUERY_SYNTAX. */
  readonly q?: string;
}

export async function searchPosts(store: Store, filter: SearchFilter): Promise<PostPage> {
  const { q, ...rest } = filter;
  if (q === undefined || q.trim() === '') return searchStore(store.db, store.dialect, rest);
  const node = parseQuery(q);
  const { condition, exact } = lowerQuery(node);
  if (exact) return searchStore(store.db, store.dialect, { ...rest, ...(condition ? { where: condition } : {}) });
  const [matches, channelOf] = [compileQueryNode(node), await sourceKinds(store.db)];
  return searchStore(store.db, store.dialect, {
    ...rest,
    ...(condition ? { where: condition } : {}),
    accept: (post) => matches(matchablePost(post, channelOf)),
  });
}

/**
 * A query as SQL: `condition` holds for every post the query matches (null: no narrowing), and
 * `exact` says it holds for no other. Text goes through a full-text index, whose words are not
 * quite the matcher's (diacritics folded, `can't` as two words, substrings), so text is never exact.
 */
export function lowerQuery(node: QueryNode): { condition: PostCondition | null; exact: boolean } {
  switch (node.type) {
    case 'and': {
      const parts = node.children.map(lowerQuery);
      const children = parts.flatMap((part) => (part.condition ? [part.condition] : []));
      const exact = parts.every((part) => part.exact);
      if (children.length === 0) return { condition: null, exact };
      return { condition: children.length === 1 ? children[0]! : { op: 'and', children }, exact };
    }
    case 'or': {
      const parts = node.children.map(lowerQuery);
      // One branch that cannot be narrowed lets anything through.
      if (parts.some((part) => part.condition === null)) return { condition: null, exact: false };
      const children = parts.map((part) => part.condition!);
      return { condition: { op: 'or', children }, exact: parts.every((part) => part.exact) };
    }
    case 'not': {
      const child = lowerQuery(node.child);
      // The complement of a superset is a subset: only an exact child can be negated in SQL.
      if (!child.exact || child.condition === null) return { condition: null, exact: false };
      return { condition: { op: 'not', child: child.condition }, exact: true };
    }
    case 'field':
      return lowerField(node.field, node.value);
    case 'phrase':
      return { condition: phraseCondition(node.value), exact: false };
    case 'prefix':
      return { condition: textCondition(node.value, true), exact: false };
    default:
      // word, #hashtag, @mention: their letters and digits as adjacent whole words.
      return { condition: textCondition(node.value, false), exact: false };
  }
}

const INDEX_WORD = /[\p{L}\p{N}]+/gu;
const WORD_CHAR = /[\p{L}\p{M}\p{N}_]/u;

function textCondition(value: string, prefix: boolean): PostCondition | null {
  const words = value.match(INDEX_WORD) ?? [];
  return words.length === 0 ? null : { op: 'text', words, prefix };
}

/**
 * A quoted phrase matches a substring: its first word may end another word and its last may
 * begin one. The index can require the words after the first, the last as a prefix.
 */
function phraseCondition(phrase: string): PostCondition | null {
  const words = phrase.match(INDEX_WORD) ?? [];
  const startsInsideWord = WORD_CHAR.test(phrase[0] ?? '');
  const endsInsideWord = WORD_CHAR.test(phrase[phrase.length - 1] ?? '');
  const whole = startsInsideWord ? words.slice(1) : words;
  return whole.length === 0 ? null : { op: 'text', words: whole, prefix: endsInsideWord };
}

const ASCII = /^[\x20-\x7e]*$/;

function lowerField(field: string, value: string): { condition: PostCondition | null; exact: boolean } {
  switch (field) {
    case 'kind':
    case 'sentiment':
      return { condition: { op: 'equals', column: field, value }, exact: true };
    case 'lang':
      return { condition: { op: 'lower-in', column: 'lang', values: [value] }, exact: true };
    case 'source':
      return { condition: { op: 'lower-in', column: 'source', values: [value] }, exact: true };
    case 'from':
      // SQLite's lower() folds ASCII only: other handles are left to the matcher.
      if (!ASCII.test(value)) return { condition: null, exact: false };
      return { condition: { op: 'lower-in', column: 'author_handle', values: [value, `@${value}`] }, exact: true };
    case 'channel':
      return { condition: { op: 'channel', value }, exact: false };
    default:
      return { condition: null, exact: false };
  }
}
