import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../storage/schema.ts';

/**
 * One recorded fact. Payloads carry identifiers, codes and counts only: never a
 * name, address, TIN or other request or taxpayer data (they may be handed to
 * auditors whole).
 */
export interface LedgerEvent {
  type: string;
  actor: string;
  batchId?: string | null;
  payload?: Record<string, unknown>;
}

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Appends events inside the caller's transaction, so the change and its record
 * commit together or not at all (fail closed). The table refuses updates and deletes.
 * @example await appendEvents(trx, [{ type: 'batch.released', actor, batchId }])
 */
export async function appendEvents(db: Db, events: LedgerEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto('events')
    .values(
      events.map((e) => ({
        type: e.type,
        actor: e.actor,
        batch_id: e.batchId ?? null,
        payload: JSON.stringify(e.payload ?? {}),
      })),
    )
    .execute();
}

export interface StoredEvent {
  seq: string;
  occurred_at: Date;
  type: string;
  actor: string;
  batch_id: string | null;
  payload: Record<string, unknown>;
}

/** Events in append order, optionally for one batch. */
export async function listEvents(db: Db, batchId?: string): Promise<StoredEvent[]> {
  let q = db.selectFrom('events').selectAll().orderBy('seq');
  if (batchId) q = q.where('batch_id', '=', batchId);
  return (await q.execute()) as StoredEvent[];
}
