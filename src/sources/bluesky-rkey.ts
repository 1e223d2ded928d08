/**
 * Deterministic record keys for outbound Bluesky posts. A post's record key is normally a TID
 * (13 characters of sortable base32 over a 64-bit number: a zero bit, 53 bits of microseconds,
 * 10 bits of clock id). Deriving it from the reply's idempotency key instead of the clock means a
 * retried send names the same record, so it finds the first attempt's post rather than making a
 * second one. The timestamp bits come from a hash, kept below 2^50 µs (before 2006) so these keys
 * can never sort ahead of a real TID minted now.
 */
import { createHash } from 'node:crypto';

const S32 = '234567abcdefghijklmnopqrstuvwxyz';
const TID_PATTERN = /^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/;

export function rkeyFromIdempotencyKey(key: string): string {
  if (key.length === 0) throw new Error('an idempotency key is required');
  const digest = createHash('sha256').update(`earshot-bluesky-reply:${key}`).digest();
  const timestamp = digest.readBigUInt64BE(0) & ((1n << 50n) - 1n);
  const clockId = BigInt(digest.readUInt16BE(8) & 0x3ff);
  return encodeTid((timestamp << 10n) | clockId);
}

export function isTid(value: string): boolean {
  return TID_PATTERN.test(value);
}

function encodeTid(value: bigint): string {
  let out = '';
  for (let i = 0; i < 13; i++) {
    out = S32[Number(value & 31n)]! + out;
    value >>= 5n;
  }
  return out;
}
