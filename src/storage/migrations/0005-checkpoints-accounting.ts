import { sql, type Kysely } from 'kysely';
import { makeAppendOnly } from './append-only.ts';

/**
 * Signed checkpoints and the accounting of inspections and disclosures (issue 5,
 * docs/ledger.md).
 *
 * `ledger_checkpoints` keeps every C2SP checkpoint the ledger key signed: one per tree
 * size, only ever growing, each checked for consistency with the one before it when it was
 * written (src/ledger/publisher.ts). `inspections` and `disclosures` are the accounting of
 * 26 U.S.C. §6103(p)(3)(A): whose return (as a keyed subject hash, never a TIN) was read
 * for which request, and which were disclosed by a release. They are written in the same
 * transaction as the match page or the release they account for, and the ledger commits to
 * them (`items.matched` carries a digest of the page's inspection rows).
 *
 * All three are append-only like `events`: triggers refuse UPDATE, DELETE and TRUNCATE.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table ledger_checkpoints (
    tree_size bigint primary key check (tree_size >= 0),
    root_hash bytea not null check (octet_length(root_hash) = 32),
    note text not null,
    created_at timestamptz not null default now()
  )`.execute(db);

  await sql`create table inspections (
    batch_id text not null,
    position integer not null,
    subject_hash text not null,
    best boolean not null,
    request_id text,
    statute text not null,
    reason text not null,
    inspected_at timestamptz not null default now(),
    primary key (batch_id, position, subject_hash)
  )`.execute(db);
  await sql`create index inspections_subject_idx on inspections (subject_hash)`.execute(db);
  await sql`create index inspections_time_idx on inspections (inspected_at)`.execute(db);

  await sql`create table disclosures (
    batch_id text not null,
    position integer not null,
    subject_hash text not null,
    result text not null,
    disclosed_at timestamptz not null default now(),
    primary key (batch_id, position, subject_hash)
  )`.execute(db);
  await sql`create index disclosures_subject_idx on disclosures (subject_hash)`.execute(db);
  await sql`create index disclosures_time_idx on disclosures (disclosed_at)`.execute(db);

  await sql`
    create function append_only() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'P0001';
    end $$`.execute(db);
  await makeAppendOnly(db, ['ledger_checkpoints', 'inspections', 'disclosures']);
}

export async function down(): Promise<void> {
  throw new Error('taxgate migrations are forward-only');
}
