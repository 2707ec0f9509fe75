import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { RequesterIdentity } from '../auth/client-assertion.ts';
import { BatchRejectedError } from '../errors.ts';
import { newId } from '../ids.ts';
import { isActiveOn, lastDayInForce, roleMaySignOn, roleNames } from '../policy/agreement.ts';
import { findAgreement, findOfficial } from '../policy/agreements.store.ts';
import { batchHold } from '../policy/holds.ts';
import { checkOfficialSignature } from '../policy/official-keys.ts';
import { monthlyCapExceeded, type CapExceeded } from '../policy/quota.ts';
import { flagOverAttestation } from '../policy/attestations.ts';
import { RULE_SET_VERSION } from '../policy/item-rules.ts';
import type { Database } from '../storage/schema.ts';
import { findBatchByDigest, insertReceivedBatch, insertRejectedBatch } from './batches.store.ts';
import {
  envelopeDigest,
  EnvelopeProblem,
  parseSignedBatch,
  readEnvelope,
  verifyBatchSignature,
} from './signed-batch.ts';

export interface SubmitOptions {
  now?: Date;
  /** A detached compact signature (`header..signature`) over the body. */
  detachedSignature?: string;
  /** The authenticated agency client, when it came through the API. */
  requester?: RequesterIdentity;
}

export interface SubmitResult {
  batch_id: string;
  state: string;
  /** True when this exact signed envelope had been submitted before. */
  duplicate: boolean;
}

/** How far in the future a submitted_at may be, for clock skew. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Receives a signed batch: the batch-level rules (signature, signer, role,
 * agreement in force, size) run before any item is read. A refused batch is
 * recorded with its code and nothing of its content; an accepted one is stored
 * as `received` for the pipeline. The same signed envelope twice is one batch.
 * @example await submitBatch(db, body, { now: new Date() })
 */
export async function submitBatch(
  db: Kysely<Database>,
  body: Buffer,
  opts: SubmitOptions = {},
): Promise<SubmitResult> {
  const now = opts.now ?? new Date();
  // The agency a refusal is filed under, so that agency can see its refused batches.
  let agency: string | null = opts.requester?.agency ?? null;
  const signed = parseSignedBatch(body, opts.detachedSignature);
  const digest = signed instanceof EnvelopeProblem ? sha256Hex(body) : envelopeDigest(signed);
  const reject = async (
    code: string,
    message: string,
    known: { agreement_id?: string | null; official_id?: string | null; item_count?: number } = {},
  ): Promise<never> => {
    const id = newId('bat');
    await insertRejectedBatch(
      db,
      {
        id,
        agreement_id: known.agreement_id ?? null,
        official_id: known.official_id ?? null,
        requesting_agency: agency,
        envelope_sha256: digest,
        item_count: known.item_count ?? 0,
        rule_set_version: RULE_SET_VERSION,
        rejection_code: code,
      },
      {
        type: 'batch.rejected',
        actor: known.official_id ? `official:${known.official_id}` : 'anonymous',
        batchId: id,
        payload: { code },
      },
    );
    throw new BatchRejectedError(code, message, id);
  };

  if (signed instanceof EnvelopeProblem) return reject(signed.code, signed.message);
  const envelope = readEnvelope(signed);
  if (envelope instanceof EnvelopeProblem) return reject(envelope.code, envelope.message);
  const claimed = {
    agreement_id: envelope.agreement_id.slice(0, 64),
    official_id: envelope.signed_by.slice(0, 64),
    item_count: envelope.items.length,
  };

  const official = await findOfficial(db, envelope.signed_by);
  if (!official) {
    return reject('OFFICIAL_UNKNOWN', `no signing official ${envelope.signed_by} is registered`, {
      ...claimed,
      official_id: null,
    });
  }
  agency ??= (await findAgreement(db, official.agreement_id))?.requesting_agency ?? null;
  // Every key the official ever had is tried, so that a signature by a retired or
  // revoked key is refused as such rather than as a bad signature.
  const signature = await checkOfficialSignature(
    db,
    official.id,
    (key) => verifyBatchSignature(signed, key),
    now,
  );
  if (!signature.verified) {
    return reject(
      'BATCH_SIGNATURE_INVALID',
      `the signature does not verify with any registered key of official ${official.id}`,
      claimed,
    );
  }
  if (signature.status === 'revoked') {
    return reject(
      'BATCH_KEY_REVOKED',
      `the batch is signed with key ${signature.thumbprint} of official ${official.id}, revoked before it was received`,
      claimed,
    );
  }
  if (signature.status === 'retired') {
    return reject(
      'BATCH_KEY_RETIRED',
      `the batch is signed with key ${signature.thumbprint} of official ${official.id}, retired by a rotation; sign with the current key`,
      claimed,
    );
  }
  if (official.agreement_id !== envelope.agreement_id) {
    return reject(
      'SIGNER_NOT_IN_AGREEMENT',
      `official ${official.id} is not registered under agreement ${envelope.agreement_id}`,
      claimed,
    );
  }
  const agreement = await findAgreement(db, envelope.agreement_id);
  if (!agreement)
    return reject('AGREEMENT_UNKNOWN', `no agreement ${envelope.agreement_id}`, claimed);
  if (opts.requester && opts.requester.agency !== agreement.requesting_agency) {
    return reject(
      'SUBMITTER_NOT_OF_AGENCY',
      `the client authenticated for ${opts.requester.agency} may not submit batches under agreement ${agreement.id}`,
      claimed,
    );
  }
  if (!roleNames(agreement).includes(official.role)) {
    return reject(
      'SIGNER_ROLE_NOT_ALLOWED',
      `role '${official.role}' may not sign under agreement ${agreement.id}`,
      claimed,
    );
  }
  const today = now.toISOString().slice(0, 10);
  if (!isActiveOn(agreement, today)) {
    return reject(
      'AGREEMENT_NOT_ACTIVE',
      `agreement ${agreement.id} is in force from ${agreement.effective_from} to ${lastDayInForce(agreement)}, not on ${today}`,
      claimed,
    );
  }
  if (!roleMaySignOn(agreement, official.role, today)) {
    return reject(
      'SIGNER_ROLE_NOT_IN_FORCE',
      `role '${official.role}' may not sign under agreement ${agreement.id} on ${today}: outside its validity window or its delegation's`,
      claimed,
    );
  }
  const hold = await batchHold(db, agreement.id, agreement.requesting_agency);
  if (hold?.scope === 'agreement') {
    return reject(
      'AGREEMENT_SUSPENDED',
      `agreement ${agreement.id} is suspended by hold ${hold.id} (court order ${hold.court_order})`,
      claimed,
    );
  }
  if (hold?.scope === 'agency') {
    return reject(
      'AGENCY_SUSPENDED',
      `requests from ${agreement.requesting_agency} are suspended by hold ${hold.id} (court order ${hold.court_order})`,
      claimed,
    );
  }
  if (Date.parse(envelope.submitted_at) > now.getTime() + CLOCK_SKEW_MS) {
    return reject('BATCH_SUBMITTED_AT_IN_FUTURE', 'submitted_at is in the future', claimed);
  }
  if (envelope.items.length === 0) return reject('BATCH_EMPTY', 'the batch has no items', claimed);
  if (envelope.items.length > agreement.max_batch_items) {
    return reject(
      'BATCH_TOO_LARGE',
      `the batch has ${envelope.items.length} items; agreement ${agreement.id} allows ${agreement.max_batch_items}`,
      claimed,
    );
  }

  const existing = await findBatchByDigest(db, digest);
  if (existing) return { batch_id: existing.id, state: existing.state, duplicate: true };

  const id = newId('bat');
  let overCap: CapExceeded | null = null;
  try {
    await insertReceivedBatch(
      db,
      {
        id,
        agreement_id: agreement.id,
        agreement_version: agreement.version,
        official_id: official.id,
        requesting_agency: agreement.requesting_agency,
        submitted_at: envelope.submitted_at,
        envelope_sha256: digest,
        item_count: envelope.items.length,
        rule_set_version: RULE_SET_VERSION,
      },
      envelope.items,
      {
        type: 'batch.received',
        actor: `official:${official.id}`,
        batchId: id,
        payload: {
          agreement_id: agreement.id,
          agreement_version: agreement.version,
          item_count: envelope.items.length,
          envelope_sha256: digest,
          key_thumbprint: signature.thumbprint,
        },
      },
      async (trx) => {
        overCap = await monthlyCapExceeded(trx, agreement, id, envelope.items.length, now);
        // Rolls the transaction back; the refusal is recorded below.
        if (overCap) throw new Error('monthly item cap exceeded');
        await flagOverAttestation(trx, agreement, official.id, id);
      },
    );
  } catch (err) {
    if (overCap) {
      const { used, cap }: CapExceeded = overCap;
      return reject(
        'MONTHLY_CAP_EXCEEDED',
        `the batch has ${envelope.items.length} items; agreement ${agreement.id} allows ${cap} a month and ${used} were received this month`,
        claimed,
      );
    }
    // A concurrent submission of the same envelope won the unique index.
    const winner = await findBatchByDigest(db, digest);
    if (winner) return { batch_id: winner.id, state: winner.state, duplicate: true };
    throw err;
  }
  return { batch_id: id, state: 'received', duplicate: false };
}

function sha256Hex(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
