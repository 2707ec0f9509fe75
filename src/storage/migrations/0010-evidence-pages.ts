import { sql, type Kysely } from 'kysely';

/**
 * Evidence kept per match page instead of per item (issue 3 §5 and §7): one row holds a
 * page's compact evidence keyed by position, `{"<position>": evidence, …}`. A row per
 * item cost as much as the item's outcome row itself; explaining an item, rare and by
 * an operator, now reads its page's row. Rows from before keep one position each.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table evidence_pages (
    batch_id text not null,
    first_position integer not null,
    last_position integer not null,
    model_version text not null,
    evidence json not null,
    primary key (batch_id, first_position)
  )`.execute(db);
  await sql`insert into evidence_pages (batch_id, first_position, last_position, model_version, evidence)
    select batch_id, position, position, model_version, json_build_object(position::text, explanation)
      from item_explanations`.execute(db);
  await sql`drop table item_explanations`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('taxgate migrations are forward-only');
}
