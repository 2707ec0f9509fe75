import { sql, type Kysely, type Transaction } from 'kysely';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import { appendEvents } from '../ledger/events.store.ts';
import type { Database } from '../storage/schema.ts';
import type { Agreement } from './agreement.ts';

/**
 * Over-attestation (issue 4 §3; court record 2025–26: one official attesting to 1.28
 * million investigations). Each item is the official's attestation that it serves a
 * named investigation; when one official's distinct `investigation_id`s across its
 * open batches (not yet released or rejected), this one included, exceed the
 * agreement's `attestation_review_threshold`, the batch is flagged: it is processed as
 * usual but cannot be released until a disclosure officer clears the flag.
 */

/** Batch states that still count as open for the attestation count. */
const OPEN_STATES = ['received', 'validated', 'in_review', 'matched'];

/**
 * Counts the official's distinct investigations across its open batches, the one
 * being stored included (its items are written first), and raises a review flag on `batchId` with an
 * `attestations.flagged` event when the count exceeds the threshold. Runs in the
 * transaction that stores the batch. Returns the count, or null without a threshold.
 */
export async function flagOverAttestation(
  trx: Transaction<Database>,
  agreement: Pick<Agreement, 'attestation_review_threshold'>,
  officialId: string,
  batchId: string,
): Promise<number | null> {
  const threshold = agreement.attestation_review_threshold;
  if (threshold === null) return null;
  // Items are JSON text; jsonb refuses \u0000 and lone surrogates, so items holding
  // them (refused by the item rules anyway) are skipped rather than failing the batch.
  const { rows } = await sql<{ n: string }>`
    select count(distinct inv)::text as n from (
      select btrim((i.item::jsonb) ->> 'investigation_id') as inv
        from batch_items i join batches b on b.id = i.batch_id
       where b.official_id = ${officialId} and b.state = any(${OPEN_STATES}::text[])
         and i.item like '{%' and i.item !~ '\\\\u(0000|[dD][89a-fA-F])'
    ) t where inv is not null and inv <> ''`.execute(trx);
  const count = Number(rows[0]!.n);
  if (count > threshold) {
    await trx
      .insertInto('review_flags')
      .values({
        batch_id: batchId,
        code: 'ATTESTATIONS_OVER_THRESHOLD',
        details: JSON.stringify({ official_id: officialId, investigations: count, threshold }),
      })
      .execute();
    await appendEvents(trx, [
      {
        type: 'attestations.flagged',
        actor: 'system:policy',
        batchId,
        payload: { official_id: officialId, investigations: count, threshold },
      },
    ]);
  }
  return count;
}

/**
 * Refuses release while the batch has a review flag nobody cleared.
 * @throws ConflictError BATCH_FLAGGED_FOR_REVIEW
 */
export async function assertNoOpenFlags(
  trx: Transaction<Database>,
  batchId: string,
): Promise<void> {
  const open = await trx
    .selectFrom('review_flags')
    .select(['code', 'details'])
    .where('batch_id', '=', batchId)
    .where('cleared_at', 'is', null)
    .execute();
  if (open.length > 0) {
    throw new ConflictError(
      'BATCH_FLAGGED_FOR_REVIEW',
      `batch ${batchId} is flagged for review (${open.map((f) => f.code).join(', ')}): a disclosure officer clears it with 'taxgate batch clear-flag' before release`,
      { flags: open.map((f) => ({ code: f.code, ...f.details })) },
    );
  }
}

export interface ReviewFlagView {
  batch_id: string;
  code: string;
  details: Record<string, unknown>;
  raised_at: string;
  cleared_by: string | null;
  cleared_at: string | null;
  note: string | null;
}

/**
 * Clears a batch's open review flags with a note (who looked, what was found), with a
 * `review_flag.cleared` event in the same transaction.
 * @throws NotFoundError NO_OPEN_FLAG
 */
export async function clearReviewFlags(
  db: Kysely<Database>,
  batchId: string,
  note: string,
  actor: string,
): Promise<ReviewFlagView[]> {
  const text = note.trim();
  if (!text || text.length > 2000 || /[\p{Cc}\p{Cf}<>]/u.test(text)) {
    throw new InvalidInputError('FLAG_NOTE_INVALID', 'the note must be 1 to 2000 plain characters');
  }
  return db.transaction().execute(async (trx) => {
    const cleared = await trx
      .updateTable('review_flags')
      .set({ cleared_by: actor, cleared_at: sql`now()`, note: text })
      .where('batch_id', '=', batchId)
      .where('cleared_at', 'is', null)
      .returningAll()
      .execute();
    if (cleared.length === 0)
      throw new NotFoundError('NO_OPEN_FLAG', `batch ${batchId} has no open review flag`);
    await appendEvents(trx, [
      {
        type: 'review_flag.cleared',
        actor,
        batchId,
        payload: { codes: cleared.map((c) => c.code) },
      },
    ]);
    return cleared.map((c) => ({
      batch_id: c.batch_id,
      code: c.code,
      details: c.details,
      raised_at: new Date(c.raised_at).toISOString(),
      cleared_by: c.cleared_by,
      cleared_at: c.cleared_at ? new Date(c.cleared_at).toISOString() : null,
      note: c.note,
    }));
  });
}
