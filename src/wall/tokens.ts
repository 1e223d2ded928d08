/**
 * Anonymous posting tokens as RSA blind signatures (RFC 9474, RSABSSA-SHA384-PSS-Randomized,
 * `@cloudflare/blindrsa-ts`). A person asks for a day's batch with their login; their browser
 * sends only blinded messages, so the signatures it gets back cannot be matched to the tokens it
 * later spends. Spending needs no login: the server checks the signature under the day's key and
 * that the token was never spent, and so can limit anonymous posting without knowing who posts.
 *
 * A token's message is `earshot-wall-v1:<batch>:<nonce>` after RFC 9474's 32 random bytes; the
 * batch is a random id the browser picks for the day's tokens, so a moderator can block a batch's
 * remaining tokens (after abuse) without anyone learning whose it is. The cost, said in
 * docs/wall.md: the posts of one batch can be told to come from the same person.
 */
import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  webcrypto,
} from 'node:crypto';
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import { EarshotError, invalid } from '../domain/errors.js';
import { tokenDay } from '../domain/wall.js';
import type { Store } from '../store/open.js';
import {
  dropTokenKeysBefore,
  getTokenKey,
  isBatchBlocked,
  putTokenKey,
  spendToken,
  takeTokenAllowance,
} from '../store/wall-tokens.js';

export const TOKEN_PREFIX = 'earshot-wall-v1';
/** Tokens one person may take per UTC day unless configured otherwise. */
export const DEFAULT_DAILY_TOKENS = 5;
/** A token can be spent on its key's day and the next (a question written just before midnight). */
const SPEND_DAYS = 2;
const RANDOM_PREFIX_BYTES = 32;
const suite = RSABSSA.SHA384.PSS.Randomized();

/** A spent token, as the browser sends it (base64url fields). */
export interface SpentToken {
  readonly day: string;
  readonly message: string;
  readonly signature: string;
}

export interface TokenKeyInfo {
  readonly day: string;
  /** The day's public key (SPKI DER, base64url). */
  readonly publicKey: string;
  /** SHA-256 of the key, so people can compare the key their browser was given. */
  readonly fingerprint: string;
}

export class BlindTokens {
  readonly #store: Store;
  readonly #clock: () => Date;
  readonly #daily: number;
  readonly #cache = new Map<string, { publicKey: Buffer; privateKey: ReturnType<typeof createPrivateKey> }>();

  constructor(options: { store: Store; clock?: () => Date; dailyTokens?: number }) {
    this.#store = options.store;
    this.#clock = options.clock ?? (() => new Date());
    this.#daily = options.dailyTokens ?? DEFAULT_DAILY_TOKENS;
  }

  get dailyTokens(): number {
    return this.#daily;
  }

  /** Today's public key, made on first use (and old keys dropped). */
  async currentKey(): Promise<TokenKeyInfo> {
    const day = tokenDay(this.#clock());
    const key = await this.#key(day, true);
    return { day, publicKey: key.publicKey.toString('base64url'), fingerprint: fingerprintOf(key.publicKey) };
  }

  /**
   * Signs blinded messages for a person, counting them against today's allowance. The server
   * sees only the blinded values: nothing here can be matched to the tokens when they are spent.
   */
  async issue(userId: number, blinded: readonly string[]): Promise<{ day: string; signatures: string[] }> {
    const day = tokenDay(this.#clock());
    if (blinded.length === 0) throw invalid('ask for at least one token');
    const key = await this.#key(day, true);
    const modulusBytes = modulusLength(key.privateKey);
    const messages = blinded.map((text, i) => {
      const bytes = Buffer.from(text, 'base64url');
      if (bytes.length !== modulusBytes) throw invalid(`blinded message ${i + 1} is not ${modulusBytes} bytes`);
      return bytes;
    });
    if (!(await takeTokenAllowance(this.#store.db, userId, day, messages.length, this.#daily)))
      throw new EarshotError('ERR_WALL_TOKENS_EXHAUSTED', { limit: this.#daily });
    return { day, signatures: messages.map((message) => blindSign(key.privateKey, message).toString('base64url')) };
  }

  /**
   * Checks a token and marks it spent (in the caller's transaction, with the post it pays for).
   * Returns the token's batch id. Forged, stale, spent and blocked tokens are refused.
   */
  async spend(token: SpentToken, db = this.#store.db): Promise<{ batchId: string }> {
    const today = tokenDay(this.#clock());
    const oldest = shiftDay(today, -(SPEND_DAYS - 1));
    if (!/^\d{4}-\d{2}-\d{2}$/.test(token.day) || token.day > today || token.day < oldest)
      throw new EarshotError('ERR_WALL_TOKEN_INVALID', { detail: 'its day has passed or has not come' });
    const key = await this.#key(token.day, false);
    if (!key) throw new EarshotError('ERR_WALL_TOKEN_INVALID', { detail: 'no key for its day' });
    const message = Buffer.from(token.message, 'base64url');
    const signature = Buffer.from(token.signature, 'base64url');
    const batchId = batchOf(message);
    if (!batchId) throw new EarshotError('ERR_WALL_TOKEN_INVALID', { detail: 'malformed message' });
    const publicKey = await webcrypto.subtle.importKey(
      'spki',
      key.publicKey,
      { name: 'RSA-PSS', hash: 'SHA-384' },
      false,
      ['verify'],
    );
    let valid = false;
    try {
      valid = await suite.verify(publicKey as Parameters<typeof suite.verify>[0], signature, message);
    } catch {
      valid = false;
    }
    if (!valid) throw new EarshotError('ERR_WALL_TOKEN_INVALID', { detail: 'the signature does not verify' });
    if (await isBatchBlocked(db, batchId)) throw new EarshotError('ERR_WALL_BATCH_BLOCKED');
    if (!(await spendToken(db, createHash('sha256').update(message).digest('hex'), token.day)))
      throw new EarshotError('ERR_WALL_TOKEN_SPENT');
    return { batchId };
  }

  async #key(
    day: string,
    create: true,
  ): Promise<{ publicKey: Buffer; privateKey: ReturnType<typeof createPrivateKey> }>;
  async #key(
    day: string,
    create: false,
  ): Promise<{ publicKey: Buffer; privateKey: ReturnType<typeof createPrivateKey> } | undefined>;
  async #key(day: string, create: boolean) {
    const cached = this.#cache.get(day);
    if (cached) return cached;
    let stored = await getTokenKey(this.#store.db, day);
    if (!stored && create) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
      stored = await putTokenKey(this.#store.db, {
        day,
        publicSpki: pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64url'),
        privatePkcs8: pair.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64url'),
      });
      await dropTokenKeysBefore(this.#store.db, shiftDay(day, -(SPEND_DAYS - 1)));
    }
    if (!stored) return undefined;
    const key = {
      publicKey: Buffer.from(stored.publicSpki, 'base64url'),
      privateKey: createPrivateKey({
        key: Buffer.from(stored.privatePkcs8, 'base64url'),
        format: 'der',
        type: 'pkcs8',
      }),
    };
    this.#cache.set(day, key);
    return key;
  }
}

/**
 * RFC 9474 §4.3 BlindSign: s = RSASP1(sk, m), refused unless RSAVP1(pk, s) = m. Node's native
 * RSA without padding is the raw operation; the library's pure-JS one takes ~0.7 s a token here.
 */
export function blindSign(privateKey: ReturnType<typeof createPrivateKey>, blinded: Buffer): Buffer {
  let signature: Buffer;
  try {
    signature = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, blinded);
  } catch {
    throw invalid('a blinded message is not a number below the key modulus');
  }
  const back = publicEncrypt({ key: createPublicKey(privateKey), padding: constants.RSA_NO_PADDING }, signature);
  if (!back.equals(blinded)) throw new Error('blind signature failed its own check');
  return signature;
}

/** The batch id inside a token message, or null when the message is not a wall token. */
export function batchOf(message: Uint8Array): string | null {
  if (message.length <= RANDOM_PREFIX_BYTES) return null;
  const text = Buffer.from(message.subarray(RANDOM_PREFIX_BYTES)).toString('utf8');
  const match = /^earshot-wall-v1:([A-Za-z0-9_-]{16,64}):([A-Za-z0-9_-]{16,64})$/.exec(text);
  return match ? match[1]! : null;
}

export function fingerprintOf(spki: Buffer): string {
  return createHash('sha256').update(spki).digest('hex').slice(0, 32);
}

function modulusLength(key: ReturnType<typeof createPrivateKey>): number {
  return (key.asymmetricKeyDetails?.modulusLength ?? 2048) / 8;
}

function shiftDay(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
