import { sql, type Kysely } from 'kysely';

/**
 * Request items are kept as the JSON text they arrived as: jsonb refuses a
 * \u0000 inside a string, and a hostile item must be refused on its own, not
 * fail its whole batch at storage.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table batch_items alter column item type text using item::text`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('taxgate migrations are forward-only');
}
