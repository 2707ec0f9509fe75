import { sql, type Transaction } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { Agreement } from './agreement.ts';

/** The first instant of the calendar month (UTC) of `now`. */
export function monthStart(now: Date): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/**
 * The agreement's monthly item cap would be exceeded by `items` more this month.
 * Returned (not thrown) so the caller records the refusal its own way.
 */
export interface CapExceeded {
  used: number;
  cap: number;
}

/**
 * Checks the monthly item cap inside the transaction that stores the batch, under a
 * per-agreement advisory lock, so two batches submitted at once cannot both fit into
 * the last room. Items of every other accepted batch of the calendar month (UTC) count,
 * whatever their outcome. Format-1 agreements have no cap.
 * @example const over = await monthlyCapExceeded(trx, agreement, 'bat_…', 500, new Date())
 */
export async function monthlyCapExceeded(
  trx: Transaction<Database>,
  agreement: Pick<Agreement, 'id' | 'monthly_item_cap'>,
  batchId: string,
  items: number,
  now: Date,
): Promise<CapExceeded | null> {
  const cap = agreement.monthly_item_cap;
  if (cap === null) return null;
  await sql`select pg_advisory_xact_lock(hashtextextended(${`taxgate:cap:${agreement.id}`}, 0))`.execute(
    trx,
  );
  const row = await trx
    .selectFrom('batches')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('item_count'), sql<string>`0`).as('used'))
    .where('agreement_id', '=', agreement.id)
    .where('state', '<>', 'rejected')
    .where('id', '<>', batchId)
    .where('received_at', '>=', monthStart(now))
    .executeTakeFirstOrThrow();
  const used = Number(row.used);
  return used + items > cap ? { used, cap } : null;
}
