/**
 * JSON columns are text on both databases (SQLite has no JSON type, and the PostgreSQL schema
 * keeps the same text columns so one set of queries serves both). The drivers hand that text
 * back unparsed, so a column is typed as `Json<T>`: a string at run time, tagged with the shape
 * it holds, which `toJson` writes and `fromJson` reads back without trusting it.
 */
import type { JSONColumnType } from 'kysely';
import { invalid } from '../domain/errors.js';

declare const holds: unique symbol;

/** The JSON text of a `T`. Only the type checker sees the tag; read-only or not, an array writes the same text. */
export type Json<T> = Tagged<T extends readonly (infer Item)[] ? Item[] : T>;
type Tagged<S> = string & { readonly [holds]?: S };

/** A JSON text column holding a `T`, read and written as `Json<T>`. */
export type JsonColumn<T> = JSONColumnType<Json<T>, Json<T>, Json<T>>;

/** The same, for a column with a database default (it may be left out of an insert). */
export type JsonColumnWithDefault<T> = JSONColumnType<Json<T>, Json<T> | undefined, Json<T>>;

/**
 * Writes a JSON column. Normalize bounds what reaches here; should a value still nest too deep
 * for the stack (or be circular), the row is refused as invalid input, never a crash of the batch.
 */
export function toJson<T>(value: T): Json<T> {
  try {
    return JSON.stringify(value ?? null);
  } catch (error) {
    throw invalid(`a value cannot be stored as JSON (${(error as Error).message.slice(0, 80)})`);
  }
}

/** Parses a JSON column; the fallback when it is empty, null or not JSON (a row never breaks a read). */
export function fromJson<T>(text: Tagged<T> | null | undefined, fallback: NoInfer<T>): T {
  if (text == null || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** PostgreSQL returns `count(*)` as a string (bigint); SQLite as a number. */
export function toCount(value: unknown): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}
