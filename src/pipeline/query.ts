/**
 * The stream query language: parse a query once, compile it to a matcher, run the matcher on
 * every incoming post.
 *
 *   helpdesk AND (down OR ":(") -spam      log*      #status      @acme      from:@ana@x.social
 *   lang:fr      kind:outage      sentiment:negative      NOT "thank you"
 *   source:helpdesk-mail      channel:mail      channel:bluesky -kind:praise
 *
 * Bare words match whole words (case-insensitive; `word*` matches a prefix), quoted phrases match
 * substrings, `#tag` and `@mention` match tags and mentions in the text (`@acme` also matches
 * `@acme@mastodon.social`), fields match the author and analysis, `source:` the configured source's
 * name and `channel:` its kind (`mastodon`, `rss`, `bluesky`, `mail`, …; for a post whose source is
 * not configured, such as an NDJSON import, the source name itself). Operators are the uppercase
 * keywords NOT, AND, OR, plus `-` before a term or group; adjacent terms are ANDed. Precedence:
 * NOT > AND > OR. Syntax errors are ERR_QUERY_SYNTAX with a 0-based character `position`.
 */
import { POST_KINDS, SENTIMENTS } from '../domain/post.js';
import { EarshotError } from '../domain/errors.js';

export const QUERY_FIELDS = ['from', 'lang', 'kind', 'sentiment', 'source', 'channel'] as const;
export type QueryField = (typeof QUERY_FIELDS)[number];

/** Longest query accepted, and deepest nesting: bounds on parse time and recursion depth. */
export const MAX_QUERY_LENGTH = 4096;
export const MAX_QUERY_DEPTH = 64;

export type QueryNode =
  | { readonly type: 'and' | 'or'; readonly children: readonly QueryNode[] }
  | { readonly type: 'not'; readonly child: QueryNode }
  | QueryTerm
  | { readonly type: 'field'; readonly field: QueryField; readonly value: string; readonly position: number };

/** A text term; `value` is lowercased, and for hashtags and mentions includes the `#`/`@`. */
export interface QueryTerm {
  readonly type: 'word' | 'prefix' | 'phrase' | 'hashtag' | 'mention';
  readonly value: string;
  readonly position: number;
}

export interface MatchablePost {
  readonly text: string;
  readonly authorHandle: string;
  readonly lang?: string;
  readonly kind?: string;
  readonly sentiment?: string;
  /** The configured source's name (`PostDraft.source`). */
  readonly source?: string;
  /** The source's kind; the source name when it is not a configured source. */
  readonly channel?: string;
}

export type PostMatcher = (post: MatchablePost) => boolean;

/** What a query sees of a post (or draft): its text and labels, and its source's kind by `channelOf`. */
export function matchablePost(
  post: {
    readonly text: string;
    readonly author: { readonly handle: string };
    readonly lang?: string;
    readonly kind?: string;
    readonly sentiment?: string;
    readonly source: string;
  },
  channelOf: (source: string) => string,
): MatchablePost {
  return {
    text: post.text,
    authorHandle: post.author.handle,
    lang: post.lang,
    kind: post.kind,
    sentiment: post.sentiment,
    source: post.source,
    channel: channelOf(post.source),
  };
}

export function parseQuery(q: string): QueryNode {
  if (typeof q !== 'string') throw syntaxError(0, 'query must be a string');
  if (q.length > MAX_QUERY_LENGTH)
    throw syntaxError(MAX_QUERY_LENGTH, `query is longer than ${MAX_QUERY_LENGTH} characters`);
  const tokens = tokenize(q);
  if (tokens.length === 1) throw syntaxError(0, 'query is empty');
  return new Parser(tokens).parse();
}

export function compileQuery(q: string): PostMatcher {
  return compileQueryNode(parseQuery(q));
}

export function compileQueryNode(node: QueryNode): PostMatcher {
  const test = compile(node);
  return function matchQuery(post: MatchablePost): boolean {
    return test(new PostView(post));
  };
}

/**
 * The text terms a post must contain for the query to match it via that term, i.e. those not
 * under a negation, in query order and without duplicates: for highlighting, and as candidates
 * for a full-text prefilter (which must still respect the OR structure of the tree).
 */
export function queryTerms(node: QueryNode): QueryTerm[] {
  const terms: QueryTerm[] = [];
  const seen = new Set<string>();
  const visit = (n: QueryNode, negated: boolean): void => {
    switch (n.type) {
      case 'and':
      case 'or':
        for (const child of n.children) visit(child, negated);
        return;
      case 'not':
        visit(n.child, !negated);
        return;
      case 'field':
        return;
      default: {
        const key = `${n.type}:${n.value}`;
        if (!negated && !seen.has(key)) {
          seen.add(key);
          terms.push(n);
        }
      }
    }
  };
  visit(node, false);
  return terms;
}

// ── Tokens ────────────────────────────────────────────────────────────────────────────────

type Token =
  | { readonly kind: 'lparen' | 'rparen' | 'and' | 'or' | 'not' | 'minus' | 'end'; readonly position: number }
  | { readonly kind: 'term'; readonly node: QueryNode; readonly position: number };

const WORD_CHAR = '[\\p{L}\\p{M}\\p{N}_]';
/** A whole word in text: letters, digits, underscores, with apostrophes inside ("can't"). */
const TEXT_WORD = new RegExp(`${WORD_CHAR}+(?:'${WORD_CHAR}+)*`, 'gu');
const SINGLE_WORD = new RegExp(`^${WORD_CHAR}+(?:'${WORD_CHAR}+)*$`, 'u');
const FIELD = /^([a-z]+):(.*)$/is;
const LANG_CODE = /^(?:[a-z]{2,3}|und)$/;
/** A source's name or kind, lowercased (names compare case-insensitively). */
const SOURCE_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const TAG_BODY = new RegExp(`^${WORD_CHAR}+$`, 'u');
const MENTION_BODY = /^[\p{L}\p{M}\p{N}_.-]+(?:@[\p{L}\p{M}\p{N}_.-]+)?$/u;

function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'lparen' : 'rparen', position: i });
      i++;
    } else if (c === '"') {
      const [value, end] = readPhrase(q, i);
      tokens.push({ kind: 'term', node: { type: 'phrase', value: normalizeText(value), position: i }, position: i });
      i = end;
    } else if (c === '-') {
      if (i + 1 === q.length || /\s/.test(q[i + 1]!)) throw syntaxError(i, "'-' must be followed directly by a term");
      tokens.push({ kind: 'minus', position: i });
      i++;
    } else {
      const start = i;
      while (i < q.length && !/[\s()"]/.test(q[i]!)) i++;
      const word = q.slice(start, i);
      if (word === 'AND' || word === 'OR' || word === 'NOT')
        tokens.push({ kind: word === 'AND' ? 'and' : word === 'OR' ? 'or' : 'not', position: start });
      else tokens.push({ kind: 'term', node: termNode(word, start), position: start });
    }
  }
  tokens.push({ kind: 'end', position: q.length });
  return tokens;
}

/** Reads a double-quoted phrase starting at `start`; `\"` and `\\` escape. Returns value and end. */
function readPhrase(q: string, start: number): [string, number] {
  let value = '';
  let i = start + 1;
  while (i < q.length) {
    const c = q[i]!;
    if (c === '"') {
      if (value.trim() === '') throw syntaxError(start, 'empty phrase');
      return [value, i + 1];
    }
    if (c === '\\' && i + 1 < q.length) {
      value += q[i + 1];
      i += 2;
    } else {
      value += c;
      i++;
    }
  }
  throw syntaxError(start, 'unterminated quote');
}

function termNode(word: string, position: number): QueryNode {
  const field = FIELD.exec(word);
  if (field !== null && (QUERY_FIELDS as readonly string[]).includes(field[1]!.toLowerCase())) {
    return fieldNode(field[1]!.toLowerCase() as QueryField, field[2]!, position);
  }
  const value = normalizeText(word);
  if (value.startsWith('#')) {
    if (!TAG_BODY.test(value.slice(1))) throw syntaxError(position, `invalid hashtag ${word}`);
    return { type: 'hashtag', value, position };
  }
  if (value.startsWith('@')) {
    if (!MENTION_BODY.test(value.slice(1))) throw syntaxError(position, `invalid mention ${word}`);
    return { type: 'mention', value, position };
  }
  if (value.endsWith('*')) {
    const prefix = value.slice(0, -1);
    if (prefix === '' || prefix.includes('*'))
      throw syntaxError(position, `a wildcard needs a prefix before one trailing *: ${word}`);
    return { type: 'prefix', value: prefix, position };
  }
  return { type: 'word', value, position };
}

function fieldNode(field: QueryField, raw: string, position: number): QueryNode {
  const value = raw.toLowerCase();
  const valueAt = position + field.length + 1;
  if (value === '') throw syntaxError(valueAt, `${field}: needs a value`);
  switch (field) {
    case 'from': {
      const handle = value.startsWith('@') ? value.slice(1) : value;
      if (handle === '') throw syntaxError(valueAt, 'from: needs a handle');
      return { type: 'field', field, value: handle, position };
    }
    case 'lang':
      if (!LANG_CODE.test(value))
        throw syntaxError(valueAt, `lang: expects an ISO 639-1 code such as en or und, got ${raw}`);
      break;
    case 'kind':
      if (!(POST_KINDS as readonly string[]).includes(value))
        throw syntaxError(valueAt, `kind: must be one of ${POST_KINDS.join(', ')}; got ${raw}`);
      break;
    case 'sentiment':
      if (!(SENTIMENTS as readonly string[]).includes(value))
        throw syntaxError(valueAt, `sentiment: must be one of ${SENTIMENTS.join(', ')}; got ${raw}`);
      break;
    case 'source':
    case 'channel':
      if (!SOURCE_NAME.test(value))
        throw syntaxError(
          valueAt,
          `${field}: expects a ${field === 'source' ? 'source name' : 'channel kind such as mail'} (letters, digits, . _ -), got ${raw}`,
        );
      break;
  }
  return { type: 'field', field, value, position };
}

// ── Parser: or := and (OR and)*;  and := unary (AND? unary)*;  unary := (NOT|-) unary | primary ──

class Parser {
  #at = 0;
  #depth = 0;
  readonly #tokens: readonly Token[];

  constructor(tokens: readonly Token[]) {
    this.#tokens = tokens;
  }

  parse(): QueryNode {
    const node = this.#or();
    const next = this.#peek();
    if (next.kind === 'rparen') throw syntaxError(next.position, "unbalanced ')'");
    if (next.kind !== 'end') throw syntaxError(next.position, `unexpected ${describe(next)}`);
    return node;
  }

  #or(): QueryNode {
    const children = [this.#and()];
    while (this.#peek().kind === 'or') {
      this.#at++;
      children.push(this.#and());
    }
    return children.length === 1 ? children[0]! : { type: 'or', children };
  }

  #and(): QueryNode {
    const children = [this.#unary()];
    for (;;) {
      const next = this.#peek();
      if (next.kind === 'and') {
        this.#at++;
        children.push(this.#unary());
      } else if (next.kind === 'term' || next.kind === 'lparen' || next.kind === 'not' || next.kind === 'minus') {
        children.push(this.#unary()); // implicit AND
      } else {
        break;
      }
    }
    return children.length === 1 ? children[0]! : { type: 'and', children };
  }

  #unary(): QueryNode {
    const token = this.#peek();
    if (token.kind === 'not' || token.kind === 'minus') {
      this.#at++;
      return { type: 'not', child: this.#nested(token.position, () => this.#unary()) };
    }
    return this.#primary();
  }

  #primary(): QueryNode {
    const token = this.#next();
    switch (token.kind) {
      case 'term':
        return token.node;
      case 'lparen': {
        if (this.#peek().kind === 'rparen') throw syntaxError(this.#peek().position, 'empty parentheses');
        const node = this.#nested(token.position, () => this.#or());
        const close = this.#next();
        if (close.kind !== 'rparen') throw syntaxError(token.position, "unbalanced '(': no matching ')'");
        return node;
      }
      case 'end': {
        // Reaching the end here means every token was read: the last one left an operator open.
        const previous = this.#tokens[this.#tokens.length - 2];
        throw syntaxError(
          token.position,
          previous === undefined ? 'query is empty' : `expected a term after ${describe(previous)}`,
        );
      }
      case 'rparen':
        throw syntaxError(token.position, "unbalanced ')'");
      default:
        throw syntaxError(token.position, `unexpected ${describe(token)}`);
    }
  }

  #nested(position: number, parse: () => QueryNode): QueryNode {
    if (++this.#depth > MAX_QUERY_DEPTH) throw syntaxError(position, `nested deeper than ${MAX_QUERY_DEPTH} levels`);
    const node = parse();
    this.#depth--;
    return node;
  }

  #peek(): Token {
    return this.#tokens[this.#at]!;
  }

  #next(): Token {
    const token = this.#tokens[this.#at]!;
    if (token.kind !== 'end') this.#at++;
    return token;
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'lparen':
      return "'('";
    case 'rparen':
      return "')'";
    case 'minus':
      return "'-'";
    case 'end':
      return 'end of query';
    case 'term':
      return 'term';
    default:
      return token.kind.toUpperCase();
  }
}

function syntaxError(position: number, detail: string): EarshotError {
  return new EarshotError('ERR_QUERY_SYNTAX', { position, detail });
}

// ── Matching ─────────────────────────────────────────────────────────────────────────────

/** One post as the matchers see it: lowercased text and word set, each computed at most once. */
class PostView {
  readonly post: MatchablePost;
  #lower: string | undefined;
  #words: Set<string> | undefined;

  constructor(post: MatchablePost) {
    this.post = post;
  }

  get lower(): string {
    this.#lower ??= normalizeText(typeof this.post.text === 'string' ? this.post.text : '');
    return this.#lower;
  }

  get words(): Set<string> {
    this.#words ??= new Set(this.lower.match(TEXT_WORD));
    return this.#words;
  }
}

type ViewTest = (view: PostView) => boolean;

function compile(node: QueryNode): ViewTest {
  switch (node.type) {
    case 'and': {
      const tests = node.children.map(compile);
      return (view) => tests.every((test) => test(view));
    }
    case 'or': {
      const tests = node.children.map(compile);
      return (view) => tests.some((test) => test(view));
    }
    case 'not': {
      const test = compile(node.child);
      return (view) => !test(view);
    }
    case 'field':
      return compileField(node.field, node.value);
    case 'word': {
      const word = node.value;
      if (SINGLE_WORD.test(word)) return (view) => view.words.has(word);
      // Words with punctuation ("v2.0", "e-mail", "c++") are not single text words: match the
      // exact characters, bounded by non-word characters on both sides.
      const re = new RegExp(`(?<!${WORD_CHAR})${escapeRegExp(word)}(?!${WORD_CHAR})`, 'u');
      return (view) => re.test(view.lower);
    }
    case 'prefix': {
      const prefix = node.value;
      if (SINGLE_WORD.test(prefix)) {
        return (view) => {
          for (const word of view.words) if (word.startsWith(prefix)) return true;
          return false;
        };
      }
      const re = new RegExp(`(?<!${WORD_CHAR})${escapeRegExp(prefix)}`, 'u');
      return (view) => re.test(view.lower);
    }
    case 'phrase': {
      const phrase = node.value;
      return (view) => view.lower.includes(phrase);
    }
    case 'hashtag': {
      const re = new RegExp(`(?<![\\p{L}\\p{M}\\p{N}_&#])${escapeRegExp(node.value)}(?!${WORD_CHAR})`, 'u');
      return (view) => re.test(view.lower);
    }
    case 'mention': {
      // "@acme" matches "@acme" and "@acme@instance", not "@acme_support", "bob@acme.com" or
      // "@acme.corp"; a trailing full stop still ends the mention.
      const re = new RegExp(
        `(?<![\\p{L}\\p{M}\\p{N}_.@-])${escapeRegExp(node.value)}(?![\\p{L}\\p{M}\\p{N}_]|[.-][\\p{L}\\p{M}\\p{N}_])`,
        'u',
      );
      return (view) => re.test(view.lower);
    }
  }
}

function compileField(field: QueryField, value: string): ViewTest {
  switch (field) {
    case 'from':
      return (view) => stripAt(lower(view.post.authorHandle)) === value;
    case 'lang':
      return (view) => lower(view.post.lang) === value;
    case 'kind':
      return (view) => lower(view.post.kind) === value;
    case 'sentiment':
      return (view) => lower(view.post.sentiment) === value;
    case 'source':
      return (view) => lower(view.post.source) === value;
    case 'channel':
      return (view) => lower(view.post.channel ?? view.post.source) === value;
  }
}

/** Query and text are compared in one form: NFC, lowercase, typographic apostrophes as `'`. */
function normalizeText(text: string): string {
  const lowered = text.normalize('NFC').toLowerCase();
  return lowered.includes('\u2019') ? lowered.replace(/\u2019/g, "'") : lowered;
}

function lower(value: string | undefined): string | undefined {
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

function stripAt(handle: string | undefined): string | undefined {
  return handle?.startsWith('@') ? handle.slice(1) : handle;
}

function escapeRegExp(text: string): string {
  // Not `-`: escaping it outside a class is a syntax error under the `u` flag.
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
