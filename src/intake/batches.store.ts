import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { ConflictError, NotFoundError } from '../errors.ts';
import { appendEvents, type LedgerEvent } from '../ledger/events.store.ts';
import type { Database, BatchesTable } from '../storage/schema.ts';
import type { Evidence } from '../matching/evidence.ts';
import type { Insertable, Selectable } from 'kysely';

type Db = Kysely<Database> | Transaction<Database>;
export type BatchRow = Selectable<BatchesTable>;

/** Batch states (DESIGN.md §Lifecycle). */
export type BatchState =
  'received' | 'validated' | 'in_review' | 'matched' | 'released' | 'rejected';

export async function getBatch(db: Db, id: string): Promise<BatchRow> {
  const row = await db.selectFrom('batches').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('BATCH_NOT_FOUND', `no batch ${id}`);
  return row;
}

export async function findBatchByDigest(db: Db, digest: string): Promise<BatchRow | null> {
  return (
    (await db
      .selectFrom('batches')
      .selectAll()
      .where('envelope_sha256', '=', digest)
      .where('state', '<>', 'rejected')
      .executeTakeFirst()) ?? null
  );
}

const ITEM_INSERT_PAGE = 2000;

/**
 * Records an accepted batch and its items, with its event, in one transaction.
 * `guard` runs in that transaction once the batch and its items are written (rules
 * that need a lock or the stored batch: the monthly cap, over-attestation); when it
 * throws, nothing is stored.
 */
export async function insertReceivedBatch(
  db: Kysely<Database>,
  batch: Omit<Insertable<BatchesTable>, 'state'>,
  items: unknown[],
  event: LedgerEvent,
  guard?: (trx: Transaction<Database>) => Promise<void>,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('batches')
      .values({ ...batch, state: 'received' })
      .execute();
    for (let start = 0; start < items.length; start += ITEM_INSERT_PAGE) {
      const page = items.slice(start, start + ITEM_INSERT_PAGE);
      const positions = page.map((_, i) => start + i);
      const requestIds = page.map(storableRequestId);
      // Items are kept as the JSON text they arrived as: jsonb would refuse a
      // \u0000 inside a string, and one hostile item must not sink its batch.
      const json = page.map((it) => JSON.stringify(it ?? null));
      await sql`
        insert into batch_items (batch_id, position, request_id, item)
        select ${batch.id}, * from unnest(${positions}::int[], ${requestIds}::text[], ${json}::text[])`.execute(
        trx,
      );
    }
    await guard?.(trx);
    await appendEvents(trx, [event]);
  });
}

/**
 * The request id as it can be stored and echoed: a string without control
 * characters (PostgreSQL text cannot hold NUL), else none — the item is then
 * refused for its request id.
 */
export function storableRequestId(item: unknown): string | null {
  const id =
    item && typeof item === 'object' ? (item as { request_id?: unknown }).request_id : undefined;
  return typeof id === 'string' && !/\p{Cc}/u.test(id) ? id.slice(0, 200) : null;
}

/** Records a batch refused as a whole. Its items are not stored: nothing in it was trusted. */
export async function insertRejectedBatch(
  db: Kysely<Database>,
  batch: Pick<
    BatchRow,
    | 'id'
    | 'agreement_id'
    | 'official_id'
    | 'requesting_agency'
    | 'envelope_sha256'
    | 'item_count'
    | 'rule_set_version'
    | 'rejection_code'
  >,
  event: LedgerEvent,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('batches')
      .values({ ...batch, state: 'rejected' })
      .execute();
    await appendEvents(trx, [event]);
  });
}

/**
 * Moves a batch from one state to the next, with its event, inside the caller's
 * transaction. Fails when another worker already moved it.
 */
export async function transition(
  trx: Transaction<Database>,
  id: string,
  from: BatchState,
  to: BatchState,
  event: LedgerEvent,
  extra: Partial<Pick<BatchRow, 'approved_by' | 'released_at' | 'result_jws'>> = {},
): Promise<void> {
  const r = await trx
    .updateTable('batches')
    .set({ state: to, ...extra })
    .where('id', '=', id)
    .where('state', '=', from)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) {
    throw new ConflictError('BATCH_STATE_CHANGED', `batch ${id} is no longer ${from}`);
  }
  await appendEvents(trx, [event]);
}

/**
 * Claims the oldest batch waiting for validation or matching, for `leaseSeconds`.
 * Several workers (processes or machines) share the queue: SKIP LOCKED keeps
 * them off each other's rows and an expired lease frees a crashed worker's batch.
 * A batch whose last attempt failed waits until its `retry_after`
 * (recordProcessingFailure), so it cannot hold up the batches behind it.
 */
export async function claimNextBatch(
  db: Kysely<Database>,
  worker: string,
  leaseSeconds: number,
): Promise<string | null> {
  return claim(db, worker, leaseSeconds, null);
}

/**
 * Claims one batch for `worker`, as claimNextBatch would: when it waits for validation
 * or matching and nobody else holds a live lease on it (its own lease is renewed).
 * @example if (!(await claimBatch(db, 'bat_…', worker, LEASE_SECONDS))) … // someone else has it
 */
export async function claimBatch(
  db: Kysely<Database>,
  id: string,
  worker: string,
  leaseSeconds: number,
): Promise<boolean> {
  return (await claim(db, worker, leaseSeconds, id)) === id;
}

// A batch whose page is in flight is held FOR SHARE by its worker (leaseFence): the
// queue's claim passes over it (SKIP LOCKED), a claim of that one batch waits for the
// page to commit and then looks at the lease again. Either way no batch changes hands
// while a worker is reading returns for it.
async function claim(
  db: Kysely<Database>,
  worker: string,
  leaseSeconds: number,
  id: string | null,
): Promise<string | null> {
  const r = await sql<{ id: string }>`
    update batches set lease_owner = ${worker}, lease_until = now() + make_interval(secs => ${leaseSeconds})
     where id = (
       select id from batches
        where state in ('received', 'validated')
          ${id === null ? sql`and (retry_after is null or retry_after <= now())` : sql`and id = ${id}`}
          and (lease_until is null or lease_until < now() or lease_owner = ${worker})
        order by received_at
        limit 1
        ${id === null ? sql`for update skip locked` : sql`for update`})
    returning id`.execute(db);
  return r.rows[0]?.id ?? null;
}

/**
 * Extends `worker`'s lease on a batch; false when another worker has taken it.
 * @example await renewLease(db, 'bat_…', worker, LEASE_SECONDS) // true while it is ours
 */
export async function renewLease(
  db: Kysely<Database>,
  id: string,
  worker: string,
  leaseSeconds: number,
): Promise<boolean> {
  const r = await db
    .updateTable('batches')
    .set({ lease_until: sql`now() + make_interval(secs => ${leaseSeconds})` })
    .where('id', '=', id)
    .where('lease_owner', '=', worker)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/**
 * First statement of every page transaction: the batch is still `worker`'s, and stays
 * so until the page commits (FOR SHARE: several lanes of one worker may hold it at
 * once, a claim by another worker skips it). A worker whose lease was taken over stops
 * here, before it reads a taxpayer row it could not account for.
 * @example await db.transaction().execute(async (trx) => { await leaseFence(trx, id, worker); … })
 */
export async function leaseFence(
  trx: Transaction<Database>,
  id: string,
  worker: string,
): Promise<void> {
  const r = await sql<{ lease_owner: string | null }>`
    select lease_owner from batches where id = ${id} for share`.execute(trx);
  if (r.rows[0]?.lease_owner !== worker) {
    throw new ConflictError(
      'BATCH_LEASE_LOST',
      `batch ${id} was taken over by another worker; this one stopped before its next page`,
    );
  }
}

export async function releaseLease(
  db: Kysely<Database>,
  id: string,
  worker: string,
): Promise<void> {
  await db
    .updateTable('batches')
    .set({ lease_owner: null, lease_until: null })
    .where('id', '=', id)
    .where('lease_owner', '=', worker)
    .execute();
}

/**
 * Records a failed attempt to process a batch still waiting for validation or matching,
 * with its `batch.processing_failed` event: one more failed attempt, the error's code,
 * and when the queue may try it again (retryDelaySeconds of the new count). Returns
 * null when the batch no longer waits, or another worker has claimed it since `worker`
 * gave it back: that worker's run is not charged with this one's failure.
 * @example await recordProcessingFailure(db, 'bat_…', { worker, error: 'INTERNAL_ERROR', actor, delaySeconds: retryDelaySeconds })
 */
export async function recordProcessingFailure(
  db: Kysely<Database>,
  id: string,
  failure: {
    worker: string;
    error: string;
    actor: string;
    delaySeconds: (failedAttempts: number) => number;
  },
): Promise<{ failed_attempts: number; retry_after: string } | null> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('batches')
      .select('failed_attempts')
      .where('id', '=', id)
      .where('state', 'in', ['received', 'validated'])
      .where((w) => w.or([w('lease_owner', 'is', null), w('lease_owner', '=', failure.worker)]))
      .forUpdate()
      .executeTakeFirst();
    if (!row) return null;
    const attempts = row.failed_attempts + 1;
    const updated = await trx
      .updateTable('batches')
      .set({
        failed_attempts: attempts,
        last_error: failure.error,
        retry_after: sql`now() + make_interval(secs => ${failure.delaySeconds(attempts)})`,
      })
      .where('id', '=', id)
      .returning(sql<Date | string>`retry_after`.as('retry_after'))
      .executeTakeFirstOrThrow();
    const retryAfter = new Date(updated.retry_after).toISOString();
    await appendEvents(trx, [
      {
        type: 'batch.processing_failed',
        actor: failure.actor,
        batchId: id,
        payload: { failed_attempts: attempts, error: failure.error, retry_after: retryAfter },
      },
    ]);
    return { failed_attempts: attempts, retry_after: retryAfter };
  });
}

export interface StoredItem {
  position: number;
  item: unknown;
}

/** A page of a batch's items in position order, after `afterPosition`. */
export async function readItems(
  db: Db,
  batchId: string,
  afterPosition: number,
  limit: number,
): Promise<StoredItem[]> {
  return db
    .selectFrom('batch_items')
    .select(['position', 'item'])
    .where('batch_id', '=', batchId)
    .where('position', '>', afterPosition)
    .orderBy('position')
    .limit(limit)
    .execute()
    .then(parseItems);
}

function parseItems(rows: { position: number; item: string }[]): StoredItem[] {
  return rows.map((r) => ({ position: r.position, item: JSON.parse(r.item) as unknown }));
}

/** The items at the given positions, in position order. */
export async function readItemsAt(
  db: Db,
  batchId: string,
  positions: number[],
): Promise<StoredItem[]> {
  if (positions.length === 0) return [];
  return db
    .selectFrom('batch_items')
    .select(['position', 'item'])
    .where('batch_id', '=', batchId)
    .where('position', 'in', positions)
    .orderBy('position')
    .execute()
    .then(parseItems);
}

/**
 * A page of items that have no outcome yet, in position order.
 *
 * Each item's outcome is looked up by its key, (batch, position), one probe per item
 * (`offset 0` keeps the subquery from becoming a join): the cost stays linear whatever
 * the statistics say. As a join, once the batch tables were analysed with earlier
 * batches only, the planner took the new batch for one row and scanned all its outcomes
 * again for each item (docs/scaling.md §Plans that do not depend on statistics).
 */
export function undecidedItemsQuery(
  batchId: string,
  afterPosition: number,
  limit: number,
): RawBuilder<{ position: number; item: string }> {
  return sql`
    select i.position, i.item from batch_items i
     where i.batch_id = ${batchId} and i.position > ${afterPosition}
       and not exists (select from item_outcomes o
                        where o.batch_id = i.batch_id and o.position = i.position offset 0)
     order by i.position
     limit ${limit}`;
}

/** A page of items that have no outcome yet, in position order (undecidedItemsQuery). */
export async function readUndecidedItems(
  db: Db,
  batchId: string,
  afterPosition: number,
  limit: number,
): Promise<StoredItem[]> {
  const { rows } = await undecidedItemsQuery(batchId, afterPosition, limit).execute(db);
  return parseItems(rows);
}

export interface NewOutcome {
  position: number;
  request_id: string | null;
  outcome: string;
  reasons: string[];
  rule_set_version: string;
  model_version: string | null;
}

/**
 * Records outcomes; an item that already has one keeps it, so replaying a page
 * after a crash neither loses nor duplicates a result. Returns the outcomes written.
 *
 * `existing: 'fail'` is for a writer that must be the only one for its items: a match
 * page writes only items it read as undecided, under the batch's lease, so an outcome
 * already there means a second writer. The statement then fails (unique violation) and
 * the page's transaction with it, and the page is read again later. Checking each row
 * for a conflict first cost 40 % of the statement (by hand, 4,500 rows on PostgreSQL).
 */
export async function insertOutcomes(
  trx: Db,
  batchId: string,
  outcomes: NewOutcome[],
  { existing = 'keep' }: { existing?: 'keep' | 'fail' } = {},
): Promise<NewOutcome[]> {
  if (outcomes.length === 0) return [];
  const onConflict = existing === 'keep' ? sql`on conflict (batch_id, position) do nothing` : sql``;
  // One JSON document, not one array per column: on PGlite every array element
  // costs more than its bytes (docs/scaling.md#embedded-pglite). Read as the table's
  // own row type, so each outcome's reasons become text[] without a subquery per row
  // (measured by hand for a page of 4,500: 18 % less time on PostgreSQL, 3 % on PGlite).
  const r = await sql<{ position: number }>`
    insert into item_outcomes (batch_id, position, request_id, outcome, reasons, rule_set_version, model_version)
    select ${batchId}, o.position, o.request_id, o.outcome, o.reasons, o.rule_set_version, o.model_version
      from json_populate_recordset(null::item_outcomes, ${JSON.stringify(outcomes)}::json) as o
    ${onConflict}
    returning position`.execute(trx);
  const written = new Set(r.rows.map((x) => x.position));
  return outcomes.filter((o) => written.has(o.position));
}

/**
 * Keeps each proposed outcome's evidence (comparison vector and weights, compactly), one
 * row per page keyed by position: a row per item cost as much as the outcome's own row.
 * Pages never share a position (each holds only items whose outcome the same transaction
 * wrote), so a second row for the same first position fails the page instead of mixing.
 */
export async function insertEvidencePage(
  trx: Db,
  batchId: string,
  modelVersion: string,
  proposals: { position: number; evidence: Evidence }[],
): Promise<void> {
  if (proposals.length === 0) return;
  const positions = proposals.map((p) => p.position);
  const byPosition = Object.fromEntries(proposals.map((p) => [String(p.position), p.evidence]));
  await sql`
    insert into evidence_pages (batch_id, first_position, last_position, model_version, evidence)
    values (${batchId}, ${Math.min(...positions)}, ${Math.max(...positions)}, ${modelVersion},
            ${JSON.stringify(byPosition)}::json)`.execute(trx);
}

/**
 * The evidence of a batch's matched item named by its request id, with the model
 * version that scored it and its outcome, or undefined when the item was not matched.
 */
/**
 * An outcome's evidence (its position's entry in its page of evidence_pages) as an SQL
 * expression for statements over `item_outcomes` aliased `o`; null where none was kept.
 * @example sql`select ${outcomeEvidence} -> 'c' -> 0 ->> 0 from item_outcomes o`
 */
export const outcomeEvidence = sql`(select p.evidence -> o.position::text
     from evidence_pages p
    where p.batch_id = o.batch_id
      and p.first_position <= o.position and p.last_position >= o.position
      and p.evidence -> o.position::text is not null
    limit 1)`;

export async function findEvidence(
  db: Db,
  batchId: string,
  requestId: string,
): Promise<
  | { position: number; outcome: string; model_version: string; evidence: Record<string, unknown> }
  | undefined
> {
  const { rows } = await sql<{
    position: number;
    outcome: string;
    model_version: string;
    evidence: Record<string, unknown> | string;
  }>`
    select o.position, o.outcome, p.model_version, p.evidence -> o.position::text as evidence
      from item_outcomes o
      join evidence_pages p on p.batch_id = o.batch_id
                           and p.first_position <= o.position and p.last_position >= o.position
     where o.batch_id = ${batchId} and o.request_id = ${requestId}
       and p.evidence -> o.position::text is not null
     order by o.position
     limit 1`.execute(db);
  const row = rows[0];
  if (!row) return undefined;
  const evidence =
    typeof row.evidence === 'string'
      ? (JSON.parse(row.evidence) as Record<string, unknown>)
      : row.evidence;
  return { ...row, evidence };
}

/** Positions of a batch's items that have evidence (were compared with taxpayers), in order. */
export async function evidencePositions(db: Db, batchId: string): Promise<number[]> {
  const { rows } = await sql<{ position: number }>`
    select k::int as position
      from evidence_pages, json_object_keys(evidence) as k
     where batch_id = ${batchId}
     order by 1`.execute(db);
  return rows.map((r) => Number(r.position));
}

export interface OutcomeRow {
  position: number;
  request_id: string | null;
  outcome: string;
  reasons: string[];
  rule_set_version: string;
  model_version: string | null;
}

/** Every outcome of a batch, in item order. */
export async function listOutcomes(db: Db, batchId: string): Promise<OutcomeRow[]> {
  return db
    .selectFrom('item_outcomes')
    .select(['position', 'request_id', 'outcome', 'reasons', 'rule_set_version', 'model_version'])
    .where('batch_id', '=', batchId)
    .orderBy('position')
    .execute();
}

/** An item of a batch with its outcome, or null where none is decided yet. */
export interface ItemWithOutcome {
  position: number;
  request_id: string | null;
  outcome: string | null;
  reasons: string[] | null;
}

/** A batch's items with their outcomes, each outcome looked up by its key (undecidedItemsQuery says why). */
export function itemsWithOutcomesQuery(batchId: string): RawBuilder<ItemWithOutcome> {
  return sql`
    select i.position, i.request_id, o.outcome, o.reasons from batch_items i
      left join lateral (select o.outcome, o.reasons from item_outcomes o
                          where o.batch_id = i.batch_id and o.position = i.position offset 0) o
        on true
     where i.batch_id = ${batchId}
     order by i.position`;
}

/** Items of a batch with their outcome, or null where none is decided yet (operator view). */
export async function listItemsWithOutcomes(db: Db, batchId: string): Promise<ItemWithOutcome[]> {
  return (await itemsWithOutcomesQuery(batchId).execute(db)).rows;
}

/** Outcome counts of a batch by result. */
export async function countOutcomes(db: Db, batchId: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('item_outcomes')
    .select(['outcome', db.fn.countAll<string>().as('n')])
    .where('batch_id', '=', batchId)
    .groupBy('outcome')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.outcome, Number(r.n)]));
}
