import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CryptoKey } from 'jose';
import { ConflictError } from '../errors.ts';
import { findAgreementVersion } from '../policy/agreements.store.ts';
import { getBatch, listOutcomes, readItemsAt, transition } from '../intake/batches.store.ts';
import { appendEvents } from '../ledger/events.store.ts';
import { recordDisclosures } from '../reporting/accounting.store.ts';
import { assertNoOpenFlags } from '../policy/attestations.ts';
import { suspendAtRelease } from '../policy/holds.ts';
import { assertSafeguardsInOrder } from '../policy/safeguards.ts';
import type { SubjectHasher } from '../policy/subject-identity.ts';
import type { Database } from '../storage/schema.ts';
import {
  buildResultDocument,
  decodeResultJws,
  signResultDocument,
  type ResultDocument,
} from './result-document.ts';

export interface ResultSigner {
  key: CryptoKey;
  kid: string;
}

/** What an approval did: released the batch, or recorded one of several approvals. */
export interface ApprovalResult {
  batch_id: string;
  state: 'released' | 'matched';
  approvals: number;
  approvals_required: number;
  released_at: string | null;
}

/**
 * Approves a matched batch and releases its signed result document, in one
 * transaction with both events: if either cannot be recorded, nothing is released.
 * The agreement's `release_approvals` different approvers must approve: each approval
 * is recorded (`batch_approvals`, a `batch.approved` event) and the one that completes
 * the count releases. Approvers are the recorded actors; until staff log in, the
 * operator token holder declares them (`--actor`, `Taxgate-Actor`).
 * Holds are checked last, in the same transaction (src/policy/holds.ts): an item a
 * hold covers is released as SUSPENDED, never with what matching proposed.
 */
export async function approveAndRelease(
  db: Kysely<Database>,
  batchId: string,
  actor: string,
  signer: ResultSigner,
  subjectHash: SubjectHasher,
  now: Date = new Date(),
): Promise<ApprovalResult> {
  return db.transaction().execute(async (trx) => {
    const batch = await trx
      .selectFrom('batches')
      .selectAll()
      .where('id', '=', batchId)
      .forUpdate()
      .executeTakeFirst();
    if (!batch) return (await getBatch(trx, batchId)) as never;
    if (batch.state === 'released')
      throw new ConflictError(
        'BATCH_ALREADY_RELEASED',
        `batch ${batchId} was released at ${new Date(batch.released_at!).toISOString()}`,
      );
    if (batch.state === 'rejected')
      throw new ConflictError(
        'BATCH_REJECTED',
        `batch ${batchId} was rejected (${batch.rejection_code}); there is nothing to release`,
      );
    if (batch.state === 'in_review')
      throw new ConflictError(
        'BATCH_HAS_PENDING_REVIEW',
        `batch ${batchId} has items awaiting review: decide them with 'taxgate batch review' first`,
      );
    if (batch.state !== 'matched')
      throw new ConflictError(
        'BATCH_NOT_READY',
        `batch ${batchId} is ${batch.state}; it can be approved once matched`,
      );
    await assertSafeguardsInOrder(trx, batch.agreement_id!, now);
    await assertNoOpenFlags(trx, batchId);
    const matched = await listOutcomes(trx, batchId);
    if (matched.length !== batch.item_count) {
      throw new ConflictError(
        'BATCH_NOT_READY',
        `batch ${batchId} has ${matched.length} of ${batch.item_count} outcomes`,
      );
    }
    if (matched.some((o) => o.outcome === 'PENDING_REVIEW')) {
      throw new ConflictError(
        'BATCH_HAS_PENDING_REVIEW',
        `batch ${batchId} has items awaiting review`,
      );
    }
    // The agreement's release_approvals different approvers, each recorded; the last
    // one releases. Until then the approval is all that happens.
    const agreement = await findAgreementVersion(
      trx,
      batch.agreement_id!,
      batch.agreement_version!,
    );
    const required = agreement.release_approvals;
    const added = await trx
      .insertInto('batch_approvals')
      .values({ batch_id: batchId, actor })
      .onConflict((c) => c.doNothing())
      .returning('actor')
      .execute();
    if (added.length === 0)
      throw new ConflictError(
        'BATCH_ALREADY_APPROVED_BY_ACTOR',
        `${actor} has already approved batch ${batchId}; its release needs ${required} different approvers`,
      );
    const approvers = (
      await trx
        .selectFrom('batch_approvals')
        .select('actor')
        .where('batch_id', '=', batchId)
        .orderBy('approved_at')
        .execute()
    ).map((a) => a.actor);
    if (approvers.length < required) {
      await appendEvents(trx, [
        {
          type: 'batch.approved',
          actor,
          batchId,
          payload: { approvals: approvers.length, required },
        },
      ]);
      return {
        batch_id: batchId,
        state: 'matched',
        approvals: approvers.length,
        approvals_required: required,
        released_at: null,
      };
    }
    const outcomes = await suspendAtRelease(
      trx,
      batch,
      matched,
      (positions) => readItemsAt(trx, batchId, positions),
      subjectHash,
    );
    const doc = buildResultDocument({
      batchId,
      agreementId: batch.agreement_id!,
      issuedAt: now,
      outcomes,
    });
    const jws = await signResultDocument(doc, signer.key, signer.kid);
    const accounting = await recordDisclosures(trx, batchId);
    await appendEvents(trx, [
      {
        type: 'batch.approved',
        actor,
        batchId,
        payload: { approvals: approvers.length, required },
      },
    ]);
    await transition(
      trx,
      batchId,
      'matched',
      'released',
      {
        type: 'batch.released',
        actor,
        batchId,
        // The hash binds the entry (and so the receipt) to the very JWS released.
        payload: {
          result_key: signer.kid,
          items: doc.items.length,
          result_sha256: createHash('sha256').update(jws, 'ascii').digest('base64url'),
          ...accounting,
        },
      },
      { approved_by: actor, released_at: now, result_jws: jws },
    );
    return {
      batch_id: batchId,
      state: 'released',
      approvals: approvers.length,
      approvals_required: required,
      released_at: now.toISOString(),
    };
  });
}

export interface ReleasedResults {
  document: ResultDocument;
  jws: string;
}

/** The released result document of a batch; recording the download first (fail closed). */
export async function fetchResults(
  db: Kysely<Database>,
  batchId: string,
  actor: string,
): Promise<ReleasedResults> {
  return db.transaction().execute(async (trx) => {
    const batch = await getBatch(trx, batchId);
    if (batch.state !== 'released' || !batch.result_jws) {
      throw new ConflictError(
        'RESULTS_NOT_RELEASED',
        `batch ${batchId} is ${batch.state}; results exist once it is released`,
      );
    }
    await appendEvents(trx, [{ type: 'results.downloaded', actor, batchId }]);
    return { document: decodeResultJws(batch.result_jws), jws: batch.result_jws };
  });
}
