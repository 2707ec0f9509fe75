import { sql, type Kysely } from 'kysely';

/**
 * Suspensions and holds (issue 4, docs/formats.md#holds, ADR 0007).
 *
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
  await sql`create index holds_active_idx on holds (scope, target) where lifted_at is null`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('taxgate migrations are forward-only');
}
