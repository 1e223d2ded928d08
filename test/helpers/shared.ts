/**
 * The team's shared data folder (`../shared` beside the repository, or EARSHOT_SHARED_DIR).
 * It is absent on a user's clone: tests that need it skip with one line saying why, except
 * under CI=true, where its absence is a failure (the test runs and asserts it is there).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';

export const SHARED_DIR = resolve(process.env.EARSHOT_SHARED_DIR ?? join(process.cwd(), '..', 'shared'));
export const FIXTURES_DIR = join(SHARED_DIR, 'data', 'protocol-fixtures');

/** `skip` for `describe`/`it`: false when `relative` exists under shared/ or when CI must fail instead. */
export function sharedSkip(relative: string): string | false {
  if (existsSync(join(SHARED_DIR, relative)) || process.env.CI === 'true') return false;
  return `no ${relative} in ${SHARED_DIR} (set EARSHOT_SHARED_DIR)`;
}

/** The absolute path of `relative` under shared/, asserting it exists (fails the test under CI). */
export function sharedPath(relative: string): string {
  const path = join(SHARED_DIR, relative);
  assert.ok(existsSync(path), `shared data missing: ${path} (CI=true requires it)`);
  return path;
}
