/**
 * The wall's rules: who may read and post in a space, named and anonymous threads and replies,
 * the official answer, "me too" votes and moderation. Anonymous posts are paid for with a blind
 * token (`tokens.ts`) and stored with no author, no batch the moderators can see, and an
 * hour-rounded time. The asker of an anonymous thread proves it is them with a signature by the
 * key only their browser holds (ECDSA P-256 over the thread, the token and the text).
 */
import { webcrypto } from 'node:crypto';
import type { Analyzer } from '../analysis/analyzer.js';
import { EarshotError, invalid, notFound } from '../domain/errors.js';
import { hasRole, type User } from '../domain/user.js';
import { roundedTime, type Space, type ThreadKind, type WallReply, type WallThread } from '../domain/wall.js';
import type { Bus } from '../pipeline/bus.js';
import type { Store } from '../store/open.js';
import {
  addVote,
  createSpace,
  getReply,
  getSpace,
  getThreadRow,
  insertReply,
  insertThread,
  listReplies,
  listSpaces,
  listThreads,
  markOfficial,
  setReplyHidden,
  setThreadHidden,
  updateSpace,
  type SpaceInput,
} from '../store/wall.js';
import { blockBatch } from '../store/wall-tokens.js';
import type { BlindTokens, SpentToken } from './tokens.js';
import './events.js';

export interface WallOptions {
  readonly store: Store;
  readonly bus: Bus;
  readonly analyzer: Analyzer;
  readonly tokens: BlindTokens;
  readonly clock?: () => Date;
  /** Called when an official answer lands, to stop the question's escalation. */
  readonly onAnswered?: (threadId: string, userId: number) => Promise<void>;
}

export interface ThreadDraft {
  readonly spaceId: number;
  readonly kind: ThreadKind;
  readonly title: string;
  readonly body: string;
}

export class Wall {
  readonly #o: WallOptions;
  readonly #clock: () => Date;

  constructor(options: WallOptions) {
    this.#o = options;
    this.#clock = options.clock ?? (() => new Date());
  }

  get tokens(): BlindTokens {
    return this.#o.tokens;
  }

  createSpace(input: SpaceInput): Promise<Space> {
    return createSpace(this.#o.store.db, checkSpace(input), this.#clock().toISOString());
  }

  async updateSpace(id: number, input: SpaceInput): Promise<Space> {
    return (await updateSpace(this.#o.store.db, id, checkSpace(input))) ?? throwNotFound('Space', id);
  }

  async spaces(user: User): Promise<(Space & { moderator: boolean })[]> {
    return (await listSpaces(this.#o.store.db))
      .filter((space) => canRead(user, space))
      .map((space) => ({ ...space, moderator: isModerator(user, space) }));
  }

  async space(user: User, id: number): Promise<Space & { moderator: boolean }> {
    const space = await this.#readable(user, id);
    return { ...space, moderator: isModerator(user, space) };
  }

  async threads(user: User, spaceId: number): Promise<WallThread[]> {
    const space = await this.#readable(user, spaceId);
    return listThreads(this.#o.store.db, spaceId, { includeHidden: isModerator(user, space), limit: 200 });
  }

  /** A thread with its replies, the official answer first. Anonymous reading needs no login (the asker's browser). */
  async thread(user: User | null, id: string): Promise<{ thread: WallThread; replies: WallReply[] }> {
    const row = await getThreadRow(this.#o.store.db, id);
    if (!row) throw notFound('Thread', id);
    const space = (await getSpace(this.#o.store.db, row.thread.spaceId))!;
    if (user && !canRead(user, space)) throw notFound('Thread', id);
    const moderator = user !== null && isModerator(user, space);
    if (row.thread.hidden && !moderator) throw notFound('Thread', id);
    return { thread: row.thread, replies: await listReplies(this.#o.store.db, id, moderator) };
  }

  async post(user: User, draft: ThreadDraft): Promise<WallThread> {
    const space = await this.#readable(user, draft.spaceId);
    const now = this.#clock();
    const id = await insertThread(this.#o.store.db, {
      ...this.#threadFields(space, draft, now),
      authorId: user.id,
      askerKey: null,
      batchId: null,
      createdAt: now.toISOString(),
    });
    return this.#changed(space.id, id);
  }

  /**
   * An anonymous thread: paid for with a token, stored with no author and the hour it was
   * written in. `askerKey` is the public half of the key the asker's browser keeps.
   */
  async postAnonymously(token: SpentToken, draft: ThreadDraft, askerKey: string): Promise<WallThread> {
    const space = await getSpace(this.#o.store.db, draft.spaceId);
    if (!space) throw notFound('Space', draft.spaceId);
    await importAskerKey(askerKey);
    const at = new Date(roundedTime(this.#clock()));
    const id = await this.#o.store.db.transaction().execute(async (trx) => {
      const { batchId } = await this.#o.tokens.spend(token, trx);
      return insertThread(trx, {
        ...this.#threadFields(space, draft, at),
        authorId: null,
        askerKey,
        batchId,
        createdAt: at.toISOString(),
      });
    });
    return this.#changed(space.id, id);
  }

  async reply(user: User, threadId: string, body: string, official = false): Promise<WallReply> {
    const { thread, space } = await this.#threadFor(user, threadId);
    if (official && !isModerator(user, space)) throw forbidden(user, 'the space team');
    const now = this.#clock().toISOString();
    const id = await insertReply(this.#o.store.db, {
      threadId,
      body: checkBody(body),
      authorId: user.id,
      byAsker: false,
      batchId: null,
      ...this.#sentiment(body),
      createdAt: now,
    });
    if (official) await this.#markOfficial(thread, id, user.id, now);
    await this.#changed(space.id, threadId);
    return (await getReply(this.#o.store.db, id))!;
  }

  /**
   * An anonymous reply, paid for with a token. With `askerSignature` (over the thread id, the
   * token message and the text, by the thread's asker key) it is shown as the asker's.
   */
  async replyAnonymously(
    token: SpentToken,
    threadId: string,
    body: string,
    askerSignature: string | null,
  ): Promise<WallReply> {
    const row = await getThreadRow(this.#o.store.db, threadId);
    if (!row || row.thread.hidden) throw notFound('Thread', threadId);
    const text = checkBody(body);
    let byAsker = false;
    if (askerSignature !== null) {
      if (!row.askerKey || !(await verifyAsker(row.askerKey, askerSignature, askerMessage(threadId, token, text))))
        throw new EarshotError('ERR_AUTH_FORBIDDEN', { role: 'anonymous', needed: "the asker's key" });
      byAsker = true;
    }
    const at = roundedTime(this.#clock());
    const id = await this.#o.store.db.transaction().execute(async (trx) => {
      const { batchId } = await this.#o.tokens.spend(token, trx);
      return insertReply(trx, {
        threadId,
        body: text,
        authorId: null,
        byAsker,
        batchId,
        ...this.#sentiment(text),
        createdAt: at,
      });
    });
    await this.#changed(row.thread.spaceId, threadId);
    return (await getReply(this.#o.store.db, id))!;
  }

  async markOfficial(user: User, threadId: string, replyId: string): Promise<WallThread> {
    const { thread, space } = await this.#threadFor(user, threadId);
    if (!isModerator(user, space)) throw forbidden(user, 'the space team');
    await this.#markOfficial(thread, replyId, user.id, this.#clock().toISOString());
    return this.#changed(space.id, threadId);
  }

  async vote(user: User, threadId: string): Promise<number> {
    const { space } = await this.#threadFor(user, threadId);
    const votes = await addVote(this.#o.store.db, threadId, user.id);
    await this.#changed(space.id, threadId);
    return votes;
  }

  /** Hides (or shows again) a thread or one reply; the space's team and admins moderate. */
  async hide(user: User, target: { threadId: string; replyId?: string }, hidden: boolean): Promise<void> {
    const { space } = await this.#threadFor(user, target.threadId, true);
    if (!isModerator(user, space)) throw forbidden(user, 'the space team');
    const done = target.replyId
      ? await setReplyHidden(this.#o.store.db, target.replyId, hidden)
      : await setThreadHidden(this.#o.store.db, target.threadId, hidden);
    if (!done) throw notFound(target.replyId ? 'Reply' : 'Thread', target.replyId ?? target.threadId);
    await this.#changed(space.id, target.threadId);
  }

  /**
   * Refuses the remaining tokens of the batch an anonymous post was paid with. The moderator
   * names the post; the batch id never leaves the server, so nobody learns whose batch it was.
   */
  async blockBatchOf(user: User, target: { threadId: string; replyId?: string }, reason: string): Promise<void> {
    const { space } = await this.#threadFor(user, target.threadId, true);
    if (!isModerator(user, space)) throw forbidden(user, 'the space team');
    const batchId = target.replyId
      ? (await getReply(this.#o.store.db, target.replyId))?.batchId
      : (await getThreadRow(this.#o.store.db, target.threadId))?.batchId;
    if (!batchId) throw invalid('only anonymous posts come from a token batch');
    await blockBatch(this.#o.store.db, batchId, reason.slice(0, 500), user.id, this.#clock().toISOString());
  }

  async #markOfficial(thread: WallThread, replyId: string, userId: number, now: string): Promise<void> {
    if (!(await markOfficial(this.#o.store.db, thread.id, replyId, now))) throw notFound('Reply', replyId);
    await this.#o.onAnswered?.(thread.id, userId);
  }

  #threadFields(space: Space, draft: ThreadDraft, at: Date) {
    const title = draft.title.trim();
    if (title.length === 0 || title.length > 200) throw invalid('a title is 1 to 200 characters');
    const body = checkBody(draft.body, true);
    return {
      spaceId: space.id,
      kind: draft.kind,
      title,
      body,
      ...this.#sentiment(`${title}\n${body}`),
      dueAt: draft.kind === 'question' ? new Date(at.getTime() + space.slaHours * 3_600_000).toISOString() : null,
    };
  }

  #sentiment(text: string) {
    const analysis = this.#o.analyzer.analyze({ text });
    return { sentiment: analysis.sentiment, sentimentScore: analysis.sentimentScore };
  }

  async #readable(user: User, spaceId: number): Promise<Space> {
    const space = await getSpace(this.#o.store.db, spaceId);
    if (!space || !canRead(user, space)) throw notFound('Space', spaceId);
    return space;
  }

  async #threadFor(user: User, threadId: string, includeHidden = false): Promise<{ thread: WallThread; space: Space }> {
    const row = await getThreadRow(this.#o.store.db, threadId);
    if (!row) throw notFound('Thread', threadId);
    const space = await this.#readable(user, row.thread.spaceId);
    if (row.thread.hidden && !(includeHidden && isModerator(user, space))) throw notFound('Thread', threadId);
    return { thread: row.thread, space };
  }

  async #changed(spaceId: number, threadId: string): Promise<WallThread> {
    await this.#o.bus.publish('wall.changed', { spaceId, threadId });
    return (await getThreadRow(this.#o.store.db, threadId))!.thread;
  }
}

export function canRead(user: Pick<User, 'id' | 'role'>, space: Space): boolean {
  return (
    space.audience === null ||
    space.audience.includes(user.id) ||
    isModerator(user, space) ||
    space.leadership.includes(user.id)
  );
}

/** The space's team and admins answer officially and moderate. */
export function isModerator(user: Pick<User, 'id' | 'role'>, space: Space): boolean {
  return hasRole(user, 'admin') || space.team.includes(user.id);
}

/** What the asker's browser signs to reply as the asker: bound to the token, so it cannot be replayed. */
export function askerMessage(threadId: string, token: SpentToken, body: string): string {
  return `${threadId}\n${token.message}\n${body}`;
}

async function importAskerKey(jwkText: string) {
  let jwk: unknown;
  try {
    jwk = JSON.parse(jwkText);
  } catch {
    throw invalid('askerKey is not a JSON Web Key');
  }
  const key = jwk as { kty?: unknown; crv?: unknown; d?: unknown };
  if (key.kty !== 'EC' || key.crv !== 'P-256' || key.d !== undefined)
    throw invalid('askerKey must be a public P-256 JSON Web Key');
  try {
    return await webcrypto.subtle.importKey(
      'jwk',
      jwk as webcrypto.JsonWebKey,
      { name: 'ECDSA', namedCurve: 'P-256' },
      false,
      ['verify'],
    );
  } catch {
    throw invalid('askerKey is not a usable P-256 key');
  }
}

async function verifyAsker(jwkText: string, signature: string, message: string): Promise<boolean> {
  const key = await importAskerKey(jwkText);
  return webcrypto.subtle.verify(
    { name: 'ECDSA', hash: 'SHA-256' },
    key,
    Buffer.from(signature, 'base64url'),
    new TextEncoder().encode(message),
  );
}

function checkSpace(input: SpaceInput): SpaceInput {
  if (input.name.trim().length === 0) throw invalid('a space needs a name');
  if (!Number.isInteger(input.slaHours) || input.slaHours < 1)
    throw invalid('slaHours is a whole number of hours, 1 or more');
  return { ...input, name: input.name.trim() };
}

function checkBody(body: string, mayBeEmpty = false): string {
  const text = body.trim();
  if ((!mayBeEmpty && text.length === 0) || text.length > 10_000) throw invalid('a text is 1 to 10000 characters');
  return text;
}

function forbidden(user: User, needed: string): EarshotError {
  return new EarshotError('ERR_AUTH_FORBIDDEN', { role: user.role, needed });
}

function throwNotFound(what: string, id: number): never {
  throw notFound(what, id);
}
