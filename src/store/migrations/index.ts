/**
 * The migrations, in order. A new migration is a new file plus one line here.
 */
import type { Migration } from 'kysely';
import * as initial from './2026-11-23-initial.js';
import * as incidents from './2026-11-23b-incidents.js';

export const MIGRATIONS: Readonly<Record<string, Migration>> = Object.freeze({
  '2026-11-23-initial': initial,
  '2026-11-23b-incidents': incidents,
});
