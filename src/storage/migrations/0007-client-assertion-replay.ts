import { sql, type Kysely } from 'kysely';

/**
 * The client assertions already used, until they expire: an assertion is good for
 * one request (RFC 7523 §3, `jti`), so one caught in transit cannot be replayed
 * for the rest of its five minutes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('client_assertions_used')
    .addColumn('official_id', 'text', (c) => c.notNull())
    .addColumn('jti', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('client_assertions_used_pk', ['official_id', 'jti'])
    .execute();
  await sql`create index client_assertions_used_expires_idx on client_assertions_used (expires_at)`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('taxgate migrations are forward-only');
}
