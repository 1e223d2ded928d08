/**
 * Normalize stage: one raw ingest payload (parsed JSON of unknown shape) → a `PostDraft`, or an
 * ERR_INPUT_INVALID error naming the first bad field. Hand-written checks: this runs on every
 * ingested post, and each message can say exactly which field is wrong and what it got.
 *
 * Text is kept literally — HTML or script in a post is content, not an error; the desk escapes
 * it when rendering. Only characters that corrupt storage or display are removed.
 */
import type { Author, PostDraft, PostMetrics } from '../domain/post.js';
import { invalid } from '../domain/errors.js';

export const MAX_TEXT_CHARS = 100_000;
export const MAX_SOURCE_CHARS = 64;
export const MAX_ID_CHARS = 256;
export const MAX_HANDLE_CHARS = 256;
export const MAX_NAME_CHARS = 256;
/** Extra (unknown) fields are kept, within these bounds: nesting depth, and size as JSON text. */
export const MAX_EXTRA_DEPTH = 32;
export const MAX_EXTRA_BYTES = 64 * 1024;
/** Counts are 32-bit columns on PostgreSQL; a post's metrics are summed per author, so they stay lower. */
export const MAX_FOLLOWERS = 2_147_483_647;
export const MAX_METRIC = 268_435_455;

const SOURCE = /^[a-z0-9_-]+$/;
const KNOWN_FIELDS = new Set(['source', 'id', 'author', 'text', 'url', 'createdAt', 'inReplyTo', 'metrics']);
const KNOWN_AUTHOR_FIELDS = new Set(['handle', 'name', 'followers', 'following', 'createdAt']);
const METRICS = ['likes', 'reposts', 'replies'] as const;
const KNOWN_METRICS: ReadonlySet<string> = new Set(METRICS);

export function normalizePost(input: unknown): PostDraft {
  const raw = record(input, 'post');
  const extra = unknownFields(raw, KNOWN_FIELDS);
  boundExtra(extra, 'post');

  const source = requiredString(raw.source, 'source', MAX_SOURCE_CHARS);
  if (!SOURCE.test(source)) throw invalid(`source must be lowercase letters, digits, _ or -, got ${quote(source)}`);
  const externalId = requiredId(raw.id, 'id');

  const rawAuthor = record(raw.author, 'author');
  const authorExtra = unknownFields(rawAuthor, KNOWN_AUTHOR_FIELDS);
  boundExtra(authorExtra, 'author');
  if (Object.keys(authorExtra).length > 0) extra.author = authorExtra;
  const author: Author = {
    handle: cleanName(requiredString(rawAuthor.handle, 'author.handle', MAX_HANDLE_CHARS), 'author.handle'),
    name: optionalName(rawAuthor.name, 'author.name'),
    followers: optionalCount(rawAuthor.followers, 'author.followers', MAX_FOLLOWERS),
    following: optionalCount(rawAuthor.following, 'author.following', MAX_FOLLOWERS),
    ...(rawAuthor.createdAt === undefined ? {} : { createdAt: optionalDate(rawAuthor.createdAt, 'author.createdAt') }),
  };

  if (typeof raw.text !== 'string') throw invalid(`text must be a string, got ${typeName(raw.text)}`);
  if (raw.text.length > MAX_TEXT_CHARS)
    throw invalid(`text must be at most ${MAX_TEXT_CHARS} characters, got ${raw.text.length}`);

  const createdAt = optionalDate(raw.createdAt, 'createdAt');
  if (createdAt === null) throw invalid(`createdAt is required, got ${typeName(raw.createdAt)}`);

  return {
    source,
    externalId,
    author,
    text: cleanText(raw.text),
    url: optionalUrl(raw.url, 'url'),
    createdAt,
    inReplyTo: raw.inReplyTo === undefined || raw.inReplyTo === null ? null : requiredId(raw.inReplyTo, 'inReplyTo'),
    metrics: metrics(raw.metrics, extra),
    extra,
  };
}

/**
 * Removes C0 control characters other than tab and newline (NUL breaks PostgreSQL text, the rest
 * break terminals and logs), replaces lone surrogates (not valid UTF-8, so not storable), then
 * normalises to NFC so equal-looking text compares equal, and trims.
 */
export function cleanText(text: string): string {
  return text.replace(CONTROL, '').replace(LONE_SURROGATE, '\uFFFD').normalize('NFC').trim();
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's job
const CONTROL = /[\u0000-\u0008\u000B-\u001F]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's job
const ANY_CONTROL = /[\u0000-\u001F\u007F]/;
// Bidirectional overrides and isolates, zero-width and other invisible format characters, DEL, C1
// controls (U+009B is a one-character ESC [ to a terminal), line and paragraph separators, and the tab
// and newline a text may keep but a one-line name may not (ESC and the rest of C0 go in `cleanText`).
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's job
const DECEPTIVE = /[\u0009\u000A\u007F-\u009F\u061C\u180E\u200B-\u200F\u2028-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`${field} must be an object, got ${typeName(value)}`);
  return value as Record<string, unknown>;
}

/** Copies fields not in `known`, verbatim; drops `__proto__`, which would become a prototype. */
function unknownFields(value: Record<string, unknown>, known: ReadonlySet<string>): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (!known.has(key) && key !== '__proto__') extra[key] = field;
  }
  return extra;
}

function requiredString(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string') throw invalid(`${field} must be a string, got ${typeName(value)}`);
  const text = value.trim();
  if (text === '') throw invalid(`${field} must not be empty`);
  if (text.length > max) throw invalid(`${field} must be at most ${max} characters, got ${text.length}`);
  return text;
}

/** A non-negative integer, clamped to `max` (a count beyond what a column holds is still "very many"). */
function optionalCount(value: unknown, field: string, max: number): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw invalid(`${field} must be a non-negative integer, got ${describeValue(value)}`);
  return Math.min(value, max);
}

/**
 * Handles and display names are shown to agents as who said something: besides control
 * characters they lose bidirectional overrides and invisible characters, which can make one
 * name read as another. An empty result is refused for a handle.
 */
function cleanName(text: string, field: string): string {
  const cleaned = cleanText(text.replace(DECEPTIVE, ''));
  if (cleaned === '') throw invalid(`${field} must not be empty`);
  return cleaned;
}

function optionalName(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(`${field} must be a string or null, got ${typeName(value)}`);
  // A display name is shown, never matched: a long one is cut, not refused.
  return cleanText(
    Array.from(value.slice(0, MAX_NAME_CHARS * 4))
      .slice(0, MAX_NAME_CHARS * 2)
      .join('')
      .replace(DECEPTIVE, ''),
  )
    .slice(0, MAX_NAME_CHARS)
    .replace(LONE_SURROGATE, '')
    .trim();
}

/**
 * Unknown fields are kept as they came, within bounds: at most `MAX_EXTRA_DEPTH` levels deep and
 * `MAX_EXTRA_BYTES` as JSON, so one hostile row cannot overflow a stack or fill the disk. Walked
 * with an explicit stack, never recursion. Strings in it lose NUL (PostgreSQL refuses it).
 */
function boundExtra(extra: Record<string, unknown>, field: string): void {
  const pending: { value: unknown; depth: number }[] = [{ value: extra, depth: 0 }];
  let nodes = 0;
  while (pending.length > 0) {
    const { value, depth } = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_EXTRA_DEPTH)
      throw invalid(`${field} extra fields must be nested at most ${MAX_EXTRA_DEPTH} levels deep`);
    nodes += 1;
    if (nodes > MAX_EXTRA_BYTES)
      throw invalid(`${field} extra fields must be at most ${MAX_EXTRA_BYTES} bytes as JSON`);
    const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
    for (const [key, child] of entries) {
      if (typeof child === 'string' && child.includes('\u0000'))
        (value as Record<string | number, unknown>)[key] = child.replaceAll('\u0000', '');
      else pending.push({ value: child, depth: depth + 1 });
    }
  }
  const size = Buffer.byteLength(JSON.stringify(extra));
  if (size > MAX_EXTRA_BYTES)
    throw invalid(`${field} extra fields must be at most ${MAX_EXTRA_BYTES} bytes as JSON, got ${size}`);
}

function optionalDate(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(`${field} must be a date string, got ${typeName(value)}`);
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw invalid(`${field} must be a date, got ${quote(value)}`);
  return new Date(time).toISOString();
}

/** Ids arrive as strings (Mastodon's exceed 2^53) or integers; both are stored as strings. */
function requiredId(value: unknown, field: string): string {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw invalid(`${field} must be a string or a safe integer, got ${value}`);
    return String(value);
  }
  if (typeof value !== 'string') throw invalid(`${field} must be a string or an integer, got ${typeName(value)}`);
  const id = requiredString(value, field, MAX_ID_CHARS);
  // Ids are matched exactly, so they are refused rather than cleaned: NUL and control characters
  // cannot be stored by PostgreSQL and have no place in an id.
  if (ANY_CONTROL.test(id)) throw invalid(`${field} must not hold control characters`);
  return id;
}

function optionalUrl(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(`${field} must be a string or null, got ${typeName(value)}`);
  const text = value.trim();
  if (ANY_CONTROL.test(text)) throw invalid(`${field} must not hold control characters`);
  let protocol: string;
  try {
    protocol = new URL(text).protocol;
  } catch {
    throw invalid(`${field} must be an http or https URL, got ${quote(text)}`);
  }
  // Anything else (javascript:, data:, file:) would be a live hazard when the desk links to it.
  if (protocol !== 'http:' && protocol !== 'https:')
    throw invalid(`${field} must be an http or https URL, got ${quote(text)}`);
  return text;
}

function metrics(value: unknown, extra: Record<string, unknown>): PostMetrics {
  if (value === undefined || value === null) return { likes: 0, reposts: 0, replies: 0 };
  const raw = record(value, 'metrics');
  const counts = { likes: 0, reposts: 0, replies: 0 };
  for (const name of METRICS) counts[name] = optionalCount(raw[name], `metrics.${name}`, MAX_METRIC) ?? 0;
  const unknown = unknownFields(raw, KNOWN_METRICS);
  if (Object.keys(unknown).length > 0) extra.metrics = unknown;
  return counts;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** The value itself for numbers (why 1.5 or -3 is wrong), else its type. */
function describeValue(value: unknown): string {
  return typeof value === 'number' ? String(value) : typeName(value);
}

/** A short, quoted excerpt of user input for an error message. */
function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}
