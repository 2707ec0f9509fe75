import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database, HoldsTable } from '../storage/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type HoldRow = Selectable<HoldsTable>;

/**
 * The key of the advisory lock that orders holds against release. Placing or lifting
 * a hold takes it exclusively; a release (and a page of matching) takes it shared, so a
 * release either commits before a hold and is recorded before it, or sees it. ASCII
 * "txgholds".
 */
export const HOLDS_LOCK_KEY = '8392569519346086003';

/** Waits for every placement or lift in progress, for the rest of the transaction. */
export async function lockHoldsShared(trx: Transaction<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(${HOLDS_LOCK_KEY}::bigint)`.execute(trx);
}

/** Excludes every release and matching page in progress, for the rest of the transaction. */
export async function lockHoldsExclusive(trx: Transaction<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${HOLDS_LOCK_KEY}::bigint)`.execute(trx);
}

export async function insertHold(
  trx: Transaction<Database>,
  hold: Omit<HoldRow, 'placed_at' | 'lifted_by' | 'lifted_at' | 'lift_court_order'>,
): Promise<HoldRow> {
  return trx.insertInto('holds').values(hold).returningAll().executeTakeFirstOrThrow();
}

/** Adds keyed subject hashes to an active hold (identifiers of a later version). */
export async function addSubjectHashes(
  trx: Transaction<Database>,
  id: string,
  hashes: string[],
): Promise<HoldRow> {
  return trx
    .updateTable('holds')
    .set({ subject_hashes: sql<string[]>`subject_hashes || ${hashes}::text[]` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findHold(db: Db, id: string): Promise<HoldRow | null> {
  return (await db.selectFrom('holds').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

/** An active hold with the same scope, target or subject hashes, and court order. */
export async function findSameActiveHold(
  db: Db,
  h: Pick<HoldRow, 'scope' | 'target' | 'subject_hashes' | 'court_order'>,
): Promise<HoldRow | null> {
  let q = db
    .selectFrom('holds')
    .selectAll()
    .where('lifted_at', 'is', null)
    .where('scope', '=', h.scope)
    .where('court_order', '=', h.court_order);
  q =
    h.target === null
      ? q.where(sql<boolean>`subject_hashes && ${h.subject_hashes}::text[]`)
      : q.where('target', '=', h.target);
  return (await q.executeTakeFirst()) ?? null;
}

/** Marks a hold lifted; false when it was already lifted. */
export async function markLifted(
  trx: Transaction<Database>,
  id: string,
  by: string,
  courtOrder: string,
): Promise<boolean> {
  const r = await trx
    .updateTable('holds')
    .set({ lifted_by: by, lifted_at: sql`now()`, lift_court_order: courtOrder })
    .where('id', '=', id)
    .where('lifted_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Active holds on an agreement or on its requesting agency, oldest first. */
export async function activeBatchHolds(
  db: Db,
  agreementId: string,
  agency: string,
): Promise<HoldRow[]> {
  return db
    .selectFrom('holds')
    .selectAll()
    .where('lifted_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('scope', '=', 'agreement'), eb('target', '=', agreementId)]),
        eb.and([eb('scope', '=', 'agency'), eb('target', '=', agency)]),
      ]),
    )
    .orderBy('placed_at')
    .orderBy('id')
    .execute();
}

/** Active subject holds any of whose hashes is among `hashes`. */
export async function activeSubjectHolds(db: Db, hashes: string[]): Promise<HoldRow[]> {
  if (hashes.length === 0) return [];
  return db
    .selectFrom('holds')
    .selectAll()
    .where('lifted_at', 'is', null)
    .where('scope', '=', 'subject')
    .where(sql<boolean>`subject_hashes && ${hashes}::text[]`)
    .orderBy('placed_at')
    .orderBy('id')
    .execute();
}

/** Holds, active first, newest first; lifted ones too when asked. */
export async function listHolds(db: Db, opts: { includeLifted?: boolean } = {}) {
  let q = db.selectFrom('holds').selectAll();
  if (!opts.includeLifted) q = q.where('lifted_at', 'is', null);
  return q.orderBy('placed_at', 'desc').orderBy('id', 'desc').execute();
}

/**
 * Replaces the outcomes of items with SUSPENDED. HOLD_APPLIED goes first in the
 * operator-only reasons, before the engine's own; a SUSPENDED result is released
 * without reasons, and the engine's proposal stays in evidence_pages.
 */
export async function suspendOutcomes(
  trx: Transaction<Database>,
  batchId: string,
  positions: number[],
): Promise<void> {
  if (positions.length === 0) return;
  await sql`update item_outcomes
      set outcome = 'SUSPENDED', reasons = array['HOLD_APPLIED'] || reasons
    where batch_id = ${batchId} and position = any(${positions}::int[])
      and outcome <> 'SUSPENDED'`.execute(trx);
}
