import { sql, type Kysely } from 'kysely';

/**
 * Policy tables of issue 4: holds, item subjects, officials' keys, review flags, purges,
 * recalls.
 *
 * Suspensions and holds (docs/api.md#post-v1adminholds, ADR 0007):
 * A hold names what it stops — an agreement, a requesting agency, or a subject by the
 * keyed hashes of its identifiers (never in clear) — and the court order behind it. It
 * is lifted, never deleted: the row keeps who placed and lifted it and under which
 * order, beside the ledger events that record both.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table holds (
    id text primary key,
    scope text not null check (scope in ('agreement', 'agency', 'subject')),
    -- agreement id or agency name; null for a subject hold
    target text,
    -- keyed hashes of the subject's identifiers (src/policy/subject-identity.ts)
    subject_hashes text[] not null default '{}',
    court_order text not null,
    reason text not null,
    placed_by text not null,
    placed_at timestamptz not null default now(),
    lifted_by text,
    lifted_at timestamptz,
    lift_court_order text,
    check ((scope = 'subject') = (target is null)),
    check (scope <> 'subject' or cardinality(subject_hashes) > 0),
    check ((lifted_at is null) = (lifted_by is null))
  )`.execute(db);
  // The subjects of lawful items, by keyed hash only: the agreement's duplicate window
  // across batches, and what stays of a request after the purge (ADR 0007).
  await sql`create table item_subjects (
    batch_id text not null references batches (id),
    position integer not null,
    subject_hash text not null,
    primary key (batch_id, position, subject_hash)
  )`.execute(db);
  await sql`create index item_subjects_hash_idx on item_subjects (subject_hash)`.execute(db);
  // Every key of every signing official. Rotation retires a key and revocation marks
  // it revoked from a time; no key is ever deleted, so any signature ever accepted can be
  // checked again. The official's row keeps its current key for client assertions.
  await sql`create table official_keys (
    official_id text not null references officials (id),
    thumbprint text not null,
    public_jwk jsonb not null,
    added_by text not null,
    added_at timestamptz not null default now(),
    retired_at timestamptz,
    revoked_at timestamptz,
    revocation_reason text,
    primary key (official_id, thumbprint)
  )`.execute(db);
  await sql`insert into official_keys (official_id, thumbprint, public_jwk, added_by, added_at)
    select id, key_thumbprint, public_jwk, 'migration:0006', created_at from officials`.execute(db);
  // A batch flagged for review (over-attestation) is released only once a person clears it.
  await sql`create table review_flags (
    batch_id text not null references batches (id),
    code text not null,
    details jsonb not null,
    raised_at timestamptz not null default now(),
    cleared_by text,
    cleared_at timestamptz,
    note text,
    primary key (batch_id, code)
  )`.execute(db);
  // Batches whose request text was removed after retention (src/policy/retention.ts).
  await sql`create table batch_purges (
    batch_id text primary key references batches (id),
    purged_at timestamptz not null default now(),
    purged_by text not null,
    items integer not null
  )`.execute(db);
  // Recalls: one per recipient agency, its notice (batches, positions, outcomes only) and
  // later the recipient's disposal certificate, kept as received (src/policy/recall.ts).
  await sql`create table recalls (
    id text primary key,
    agency text not null,
    criteria jsonb not null,
    notice jsonb not null,
    disclosures integer not null,
    noticed_by text not null,
    noticed_at timestamptz not null default now(),
    certificate bytea,
    certificate_sha256 text,
    certificate_bytes integer,
    certificate_filename text,
    certified_by text,
    certified_at timestamptz
  )`.execute(db);
  await sql`create index holds_active_idx on holds (scope, target) where lifted_at is null`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('taxgate migrations are forward-only');
}
