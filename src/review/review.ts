import type { Kysely, Transaction } from 'kysely';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import { findEvidence, getBatch, transition } from '../intake/batches.store.ts';
import { appendEvents } from '../ledger/events.store.ts';
import { modelByVersion } from '../matching/engine.store.ts';
import { explainEvidence, isEvidence } from '../matching/evidence.ts';
import type { Database } from '../storage/schema.ts';

/** What a reviewer may decide for an item the engine left undecided. */
export type ReviewDecision = 'CONFIRMED' | 'NOT_CONFIRMED';

/**
 * Records a person's decision on an item awaiting review, with its event, in one
 * transaction; when the last one is decided the batch becomes `matched` and can
 * be approved. The engine's reasons stay beside the decision for auditors.
 * (The two-person rule arrives with staff identities.)
 * @example await decideReviewItem(db, 'bat_…', 'r-17', 'NOT_CONFIRMED', 'operator:ana')
 */
export async function decideReviewItem(
  db: Kysely<Database>,
  batchId: string,
  requestId: string,
  decision: ReviewDecision,
  actor: string,
): Promise<{ batch_id: string; request_id: string; outcome: ReviewDecision; batch_state: string }> {
  if (decision !== 'CONFIRMED' && decision !== 'NOT_CONFIRMED') {
    throw new InvalidInputError(
      'REVIEW_DECISION_INVALID',
      'the decision must be CONFIRMED or NOT_CONFIRMED',
    );
  }
  return db.transaction().execute(async (trx) => {
    const batch = await trx
      .selectFrom('batches')
      .select(['state'])
      .where('id', '=', batchId)
      .forUpdate()
      .executeTakeFirst();
    if (!batch) throw new NotFoundError('BATCH_NOT_FOUND', `no batch ${batchId}`);
    if (batch.state !== 'in_review')
      throw new ConflictError(
        'BATCH_NOT_IN_REVIEW',
        `batch ${batchId} is ${batch.state}, not in review`,
      );
    const item = await trx
      .selectFrom('item_outcomes')
      .select(['position', 'outcome', 'reasons'])
      .where('batch_id', '=', batchId)
      .where('request_id', '=', requestId)
      .where('outcome', '=', 'PENDING_REVIEW')
      .executeTakeFirst();
    if (!item)
      throw new NotFoundError(
        'REVIEW_ITEM_NOT_FOUND',
        `batch ${batchId} has no item ${requestId} awaiting review`,
      );
    await trx
      .updateTable('item_outcomes')
      .set({ outcome: decision, reasons: [...item.reasons, 'REVIEW_DECIDED'] })
      .where('batch_id', '=', batchId)
      .where('position', '=', item.position)
      .execute();
    await appendEvents(trx, [
      {
        type: 'item.reviewed',
        actor,
        batchId,
        payload: { position: item.position, decision, engine_reasons: item.reasons },
      },
    ]);
    const pending = await trx
      .selectFrom('item_outcomes')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('batch_id', '=', batchId)
      .where('outcome', '=', 'PENDING_REVIEW')
      .executeTakeFirstOrThrow();
    let state = 'in_review';
    if (Number(pending.n) === 0) {
      await transition(trx, batchId, 'in_review', 'matched', {
        type: 'batch.matched',
        actor,
        batchId,
        payload: { after_review: true },
      });
      state = 'matched';
    }
    return { batch_id: batchId, request_id: requestId, outcome: decision, batch_state: state };
  });
}

export interface ExplanationView {
  batch_id: string;
  request_id: string;
  outcome: string | null;
  model_version: string;
  explanation: Record<string, unknown>;
}

/**
 * An item's explanation (the waterfall of weights) for an operator; reading it
 * is itself recorded. Candidates are shown by rank: TINs stay in the store.
 */
export async function explainItem(
  db: Kysely<Database>,
  batchId: string,
  requestId: string,
  actor: string,
): Promise<ExplanationView> {
  return db.transaction().execute(async (trx) => {
    await getBatch(trx, batchId);
    const row = await findEvidence(trx, batchId, requestId);
    if (!row)
      throw new NotFoundError(
        'EXPLANATION_NOT_FOUND',
        `batch ${batchId} has no matched item ${requestId} (rejected items were never matched)`,
      );
    await appendEvents(trx, [
      { type: 'explanation.viewed', actor, batchId, payload: { position: row.position } },
    ]);
    const explanation = await waterfall(trx, row.evidence, row.model_version);
    const candidates = (explanation.candidates ?? []).map(({ tin: _tin, ...rest }) => rest);
    return {
      batch_id: batchId,
      request_id: requestId,
      outcome: row.outcome,
      model_version: row.model_version,
      explanation: { ...explanation, candidates },
    };
  });
}

/** The stored explanation as a waterfall: compact evidence is rebuilt with its model. */
async function waterfall(
  db: Transaction<Database>,
  stored: unknown,
  modelVersion: string,
): Promise<{ candidates?: { tin?: string }[] } & Record<string, unknown>> {
  // Rows written before compact evidence hold the waterfall itself.
  if (!isEvidence(stored)) return stored as Record<string, unknown>;
  const model = await modelByVersion(db, modelVersion);
  if (!model) throw new Error(`model ${modelVersion} of a recorded explanation is missing`);
  return explainEvidence(stored, model) as unknown as Record<string, unknown>;
}
