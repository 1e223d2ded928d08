/**
 * API tokens get scopes, an expiry and revocation. Tokens made before keep every scope and no
 * expiry, so machines already calling the API go on working until an admin revokes them. Same on
 * both databases. (Webhook secrets already in clear are sealed at start by the runtime, which
 * holds the key a migration must not see.) Frozen: later changes are new migrations. Imports
 * nothing from the app.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('api_tokens')
    .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('["read","write","ingest","admin"]'))
    .execute();
  await db.schema.alterTable('api_tokens').addColumn('expires_at', 'text').execute();
  await db.schema.alterTable('api_tokens').addColumn('revoked_at', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_tokens').dropColumn('revoked_at').execute();
  await db.schema.alterTable('api_tokens').dropColumn('expires_at').execute();
  await db.schema.alterTable('api_tokens').dropColumn('scopes').execute();
}
