/**
 * Sources' credentials at rest: the option fields a definition flags as secret are sealed
 * together with AES-256-GCM before they reach the store, and opened only when the source
 * starts. The key comes from EARSHOT_SECRET_KEY; without it a key file is created once in the
 * data folder (mode 0600), so a laptop works with no setup.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EarshotError } from '../domain/errors.js';

/** Secret option values by field name. */
export type SecretValues = Record<string, string>;

export interface SecretBox {
  /** Seals the values of one source; `name` is bound in, so a sealed blob cannot be moved to another source. */
  seal(name: string, values: SecretValues): string;
  /** Opens what `seal` made for the same name; a wrong key or altered data throws ERR_SECRETS_UNREADABLE. */
  open(name: string, sealed: string): SecretValues;
}

export const SECRET_KEY_FILE = 'secret.key';
const VERSION = 'v1';
// A fixed salt is fine here: the passphrase derives one key per installation, not per user.
const PASSPHRASE_SALT = 'earshot-secret-key-v1';

/** 32 bytes as base64 (44 chars) or hex (64 chars); anything else is a passphrase stretched by scrypt. */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new EarshotError('ERR_SECRETS_KEY_INVALID', { detail: 'it is empty' });
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed, 'base64');
    if (bytes.length === 32) return bytes;
  }
  if (trimmed.length < 12)
    throw new EarshotError('ERR_SECRETS_KEY_INVALID', {
      detail: 'a passphrase needs at least 12 characters (or give 32 bytes as base64 or hex)',
    });
  return scryptSync(trimmed, PASSPHRASE_SALT, 32);
}

/**
 * The installation's key: EARSHOT_SECRET_KEY when set, else `secret.key` in the data folder,
 * created on first use. `onCreated` is told once, when the file is made.
 */
export function loadSecretKey(
  options: { secretKey: string | null; dataDir: string },
  onCreated?: (path: string) => void,
): Buffer {
  if (options.secretKey) return parseSecretKey(options.secretKey);
  // An in-memory store keeps nothing, so neither does its key.
  if (options.dataDir === ':memory:') return randomBytes(32);
  const path = join(options.dataDir, SECRET_KEY_FILE);
  if (existsSync(path)) return parseSecretKey(readFileSync(path, 'utf8'));
  mkdirSync(options.dataDir, { recursive: true });
  const key = randomBytes(32);
  // `wx`: two processes starting at once must not each write a different key.
  try {
    writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return parseSecretKey(readFileSync(path, 'utf8'));
    throw error;
  }
  chmodSync(path, 0o600);
  onCreated?.(path);
  return key;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32)
    throw new EarshotError('ERR_SECRETS_KEY_INVALID', { detail: `the key has ${key.length} bytes, not 32` });
  return {
    seal(name, values) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(`earshot-source:${name}`));
      const body = Buffer.concat([cipher.update(JSON.stringify(values), 'utf8'), cipher.final()]);
      return [
        VERSION,
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        body.toString('base64url'),
      ].join('.');
    },
    open(name, sealed) {
      const parts = sealed.split('.');
      if (parts.length !== 4 || parts[0] !== VERSION)
        throw new EarshotError('ERR_SECRETS_UNREADABLE', { name, detail: 'the stored value is not a sealed secret' });
      const [, iv, tag, body] = parts as [string, string, string, string];
      let plain: string;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(`earshot-source:${name}`));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch (error) {
        // GCM cannot tell a wrong key from tampering; both mean the same to an operator.
        throw new EarshotError(
          'ERR_SECRETS_UNREADABLE',
          { name, detail: 'wrong EARSHOT_SECRET_KEY (or secret.key), or the stored value was altered' },
          { cause: error },
        );
      }
      const values = JSON.parse(plain) as unknown;
      if (!values || typeof values !== 'object' || Array.isArray(values))
        throw new EarshotError('ERR_SECRETS_UNREADABLE', { name, detail: 'the sealed value is not an object' });
      return values as SecretValues;
    },
  };
}

/** Splits a source's options into the plain part (stored as JSON) and the secret part (sealed). */
export function splitSecrets(
  options: Record<string, unknown>,
  secretFields: readonly string[],
): { plain: Record<string, unknown>; secrets: SecretValues } {
  const plain: Record<string, unknown> = {};
  const secrets: SecretValues = {};
  for (const [field, value] of Object.entries(options)) {
    if (secretFields.includes(field)) {
      if (value !== undefined && value !== null && value !== '') secrets[field] = String(value);
    } else plain[field] = value;
  }
  return { plain, secrets };
}
