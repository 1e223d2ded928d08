/**
 * What the browser alone keeps for anonymous posting (docs/wall.md): the unspent tokens of the
 * day's batch and, per anonymous thread, the asker's private key. Both live in this browser's
 * local storage and are never sent with the login. Every visit to the wall takes the day's batch
 * when it has none, whether the person means to post or not, so that taking tokens says nothing.
 */
import { ApiError } from '../api.js';
import { type AnonToken, askerMessage, makeAskerKey, makeBatch, signAsAsker } from './anon-client.js';
import { anonymousApi, tokenTransport } from './wall-api.js';
import type { ThreadKind, WallReply, WallThread } from '../api-types.js';

const TOKENS = 'earshot.wall.tokens';
const ASKED = 'earshot.wall.asked';

function read<T>(key: string, fallback: T): T {
  try {
    return (JSON.parse(localStorage.getItem(key) ?? 'null') as T | null) ?? fallback;
  } catch {
    return fallback;
  }
}

function write(key: string, value: unknown): void {
  localStorage.setItem(key, JSON.stringify(value));
}

/** A token is good on its key's day and the next (the server accepts both). */
function stillGood(token: AnonToken, today: string): boolean {
  const day = Date.parse(`${token.day}T00:00:00Z`);
  return Date.parse(`${today}T00:00:00Z`) - day <= 86_400_000;
}

let filling: Promise<number> | null = null;

/** Takes the day's batch once a day; returns how many tokens are in hand. Never rejects. */
export function fillWallet(): Promise<number> {
  filling ??= (async () => {
    const today = new Date().toISOString().slice(0, 10);
    let tokens = read<AnonToken[]>(TOKENS, []).filter((token) => stillGood(token, today));
    try {
      if (!tokens.some((token) => token.day === today)) {
        const key = await tokenTransport.key();
        if (!tokens.some((token) => token.day === key.day))
          tokens = [...tokens, ...(await makeBatch(tokenTransport, key.daily))];
      }
    } catch (error) {
      // Today's allowance was taken in another browser: post with the name, or there.
      if (!(error instanceof ApiError && error.code === 'ERR_WALL_TOKENS_EXHAUSTED'))
        console.warn('wall tokens:', error);
    }
    write(TOKENS, tokens);
    return tokens.length;
  })().finally(() => {
    filling = null;
  });
  return filling;
}

export function tokensInHand(): number {
  return read<AnonToken[]>(TOKENS, []).length;
}

/** Spends the oldest token on `use`; a token the server says is spent is dropped and the next tried. */
async function spending<T>(use: (token: AnonToken) => Promise<T>): Promise<T> {
  await fillWallet();
  for (;;) {
    const [token, ...rest] = read<AnonToken[]>(TOKENS, []);
    if (!token)
      throw new Error('No anonymous posts left today: the daily allowance is used. Post with your name, or tomorrow.');
    try {
      const result = await use(token);
      write(TOKENS, rest);
      return result;
    } catch (error) {
      if (
        error instanceof ApiError &&
        (error.code === 'ERR_WALL_TOKEN_SPENT' || error.code === 'ERR_WALL_TOKEN_INVALID')
      ) {
        write(TOKENS, rest);
        continue;
      }
      throw error;
    }
  }
}

/** Asks anonymously: the thread's asker key is made here and its private half kept here. */
export async function askAnonymously(
  spaceId: number,
  draft: { kind: ThreadKind; title: string; body: string },
): Promise<WallThread> {
  const key = await makeAskerKey();
  const thread = await spending((token) => anonymousApi.post({ token, spaceId, askerKey: key.publicJwk, ...draft }));
  write(ASKED, { ...read<Record<string, string>>(ASKED, {}), [thread.id]: key.privateJwk });
  return thread;
}

/** Whether this browser asked the thread (it holds the asker's key). */
export function isMyAnonymousThread(threadId: string): boolean {
  return threadId in read<Record<string, string>>(ASKED, {});
}

/** An anonymous reply; in a thread this browser asked, signed with the asker's key so it shows as the asker's. */
export async function replyAnonymously(threadId: string, body: string): Promise<WallReply> {
  const privateJwk = read<Record<string, string>>(ASKED, {})[threadId];
  return spending(async (token) =>
    anonymousApi.reply(threadId, {
      token,
      body,
      ...(privateJwk ? { askerSignature: await signAsAsker(privateJwk, askerMessage(threadId, token, body)) } : {}),
    }),
  );
}
