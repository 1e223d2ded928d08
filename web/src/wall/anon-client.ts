/**
 * The browser's half of anonymous posting (docs/wall.md). It fetches the day's public key without
 * its cookie, makes a batch of token messages under a random batch id, blinds them (RFC 9474,
 * `@cloudflare/blindrsa-ts` over WebCrypto), has them signed with its login, and unblinds the
 * signatures. The server signed only blinded values, so the tokens it later sees spent cannot be
 * matched to this person. The asker's key for a thread is made here and never leaves the browser.
 *
 * Plain WebCrypto and no DOM: the same code runs in Node 20 (the API tests use it) and Chromium.
 */
import { RSABSSA } from '@cloudflare/blindrsa-ts';

export const TOKEN_PREFIX = 'earshot-wall-v1';
const suite = RSABSSA.SHA384.PSS.Randomized();

/** A token ready to spend: its key's day, the prepared message and the unblinded signature (base64url). */
export interface AnonToken {
  readonly day: string;
  readonly message: string;
  readonly signature: string;
}

export interface TokenKey {
  readonly day: string;
  readonly publicKey: string;
  readonly fingerprint: string;
  readonly daily: number;
}

/** How the batch reaches the server: the key without credentials, the signing with the login. */
export interface TokenTransport {
  key(): Promise<TokenKey>;
  sign(blinded: string[]): Promise<{ day: string; signatures: string[] }>;
}

/** Makes, blinds, has signed and unblinds `count` tokens under one fresh batch id. */
export async function makeBatch(transport: TokenTransport, count: number): Promise<AnonToken[]> {
  const key = await transport.key();
  const publicKey = await crypto.subtle.importKey(
    'spki',
    fromBase64Url(key.publicKey),
    { name: 'RSA-PSS', hash: 'SHA-384' },
    true,
    ['verify'],
  );
  const batchId = randomId(16);
  const prepared: Uint8Array[] = [];
  const inverses: Uint8Array[] = [];
  const blinded: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const message = suite.prepare(new TextEncoder().encode(`${TOKEN_PREFIX}:${batchId}:${randomId(16)}`));
    const { blindedMsg, inv } = await suite.blind(publicKey, message);
    prepared.push(message);
    inverses.push(inv);
    blinded.push(toBase64Url(blindedMsg));
  }
  const signed = await transport.sign(blinded);
  if (signed.day !== key.day) throw new Error('the server signed with another day’s key than it published');
  const tokens: AnonToken[] = [];
  for (const [i, signature] of signed.signatures.entries()) {
    // Finalize verifies the signature under the published key: a key made for this person alone fails here.
    const final = await suite.finalize(publicKey, prepared[i]!, fromBase64Url(signature), inverses[i]!);
    tokens.push({ day: key.day, message: toBase64Url(prepared[i]!), signature: toBase64Url(final) });
  }
  return tokens;
}

/** A new asker key pair for one anonymous thread: the public half goes with the post, the private half stays. */
export async function makeAskerKey(): Promise<{ publicJwk: string; privateJwk: string }> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as {
    publicKey: Parameters<typeof crypto.subtle.exportKey>[1];
    privateKey: Parameters<typeof crypto.subtle.exportKey>[1];
  };
  const publicJwk = (await crypto.subtle.exportKey('jwk', pair.publicKey)) as Record<string, unknown>;
  const privateJwk = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as Record<string, unknown>;
  const { kty, crv, x, y } = publicJwk;
  return { publicJwk: JSON.stringify({ kty, crv, x, y }), privateJwk: JSON.stringify(privateJwk) };
}

/** What the asker signs to reply as the asker (the server checks the same text: `askerMessage` in src/wall/wall.ts). */
export function askerMessage(threadId: string, token: AnonToken, body: string): string {
  return `${threadId}\n${token.message}\n${body.trim()}`;
}

export async function signAsAsker(privateJwk: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'jwk',
    JSON.parse(privateJwk) as never,
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['sign'],
  );
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    key,
    new TextEncoder().encode(message),
  );
  return toBase64Url(new Uint8Array(signature));
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function randomId(bytes: number): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}
