import { sql, type Kysely } from 'kysely';
import { makeAppendOnly } from './append-only.ts';

/**
 * What matching a page writes and reads, made cheaper (issue 3 §7, docs/matching.md
 * §Speed), the rows and their meaning unchanged. Measured for 18,000
 * items inspecting 42,000 returns, each part alone (scratch scripts, same minute):
 *
 * - `inspections` kept the request's statute, reason and request id on every return
 *   read (2 to 3 per item), under three indexes whose text keys compared by the
 *   database's collation. Now one `inspection_requests` row per item keeps the
 *   request's part and the time; `inspections` keeps the subjects, found by a hash
 *   index (PostgreSQL, the old table against the slimmer one: ~530 → ~250 ms; PGlite,
 *   the subjects' B-tree against the hash index: 409 → 284 ms). Both stay append-only. Batch ids keep the
 *   database's collation: they join `batches` and `item_outcomes`, whose indexes only
 *   serve comparisons in their own collation.
 * - `item_outcomes` and `item_explanations` checked a foreign key to `batches` for every
 *   row: the pipeline writes them only for a batch it has just read, and batches are
 *   never deleted, so the per-row check bought nothing (PostgreSQL: ~80 ms a table). Explanations
 *   are kept as `json` (the text as written) instead of `jsonb`, which parsed and
 *   re-encoded every one only to be read whole (PostgreSQL: ~70 ms).
 * - The matching index compares its keys and TINs byte by byte ("C"), and keeps
 *   features as `json`: blocking hands them over as the text stored, not re-encoded.
 *   (An equality between a "C" column and one of the default collation compares in
 *   "C", so only "C" indexes serve it: nothing joins these TINs to other tables' indexes.)
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table inspection_requests (
    batch_id text not null,
    position integer not null,
    request_id text,
    statute text not null,
    reason text not null,
    inspected_at timestamptz not null default now(),
    primary key (batch_id, position)
  )`.execute(db);
  await sql`insert into inspection_requests (batch_id, position, request_id, statute, reason, inspected_at)
    select distinct on (batch_id, position) batch_id, position, request_id, statute, reason, inspected_at
      from inspections order by batch_id, position, inspected_at`.execute(db);
  await sql`create index inspection_requests_time_idx on inspection_requests (inspected_at)`.execute(
    db,
  );

  await sql`alter table inspections rename to inspections_0005`.execute(db);
  await sql`create table inspections (
    batch_id text not null,
    position integer not null,
    subject_hash text collate "C" not null,
    best boolean not null
  )`.execute(db);
  await sql`insert into inspections (batch_id, position, subject_hash, best)
    select batch_id, position, subject_hash, best from inspections_0005
     order by batch_id, position, subject_hash`.execute(db);
  await sql`drop table inspections_0005`.execute(db);
  // Not unique: an item's inspections are written once, with its request row, whose
  // primary key refuses a second (a unique index here cost PGlite ~50 ms a batch).
  await sql`create index inspections_page_idx on inspections (batch_id, position)`.execute(db);
  // Subjects are only ever looked up by equality (a taxpayer's accounting): a hash index
  // costs a third of a B-tree's inserts over random 43-character keys.
  await sql`create index inspections_subject_idx on inspections using hash (subject_hash)`.execute(
    db,
  );
  await sql`analyze inspection_requests, inspections`.execute(db);
  await makeAppendOnly(db, ['inspection_requests', 'inspections']);

  await sql`alter table item_outcomes drop constraint if exists item_outcomes_batch_id_fkey`.execute(
    db,
  );
  await sql`alter table item_explanations drop constraint if exists item_explanations_batch_id_fkey`.execute(
    db,
  );
  await sql`alter table item_explanations alter column explanation type json using explanation::json`.execute(
    db,
  );

  await sql`alter table taxpayer_blocking_keys
    alter column key type text collate "C", alter column tin type text collate "C"`.execute(db);
  await sql`alter table taxpayer_features
    alter column tin type text collate "C", alter column features type json using features::json`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('taxgate migrations are forward-only');
}
