import type { Kysely, Transaction } from 'kysely';
import { ConflictError } from '../errors.ts';
import type { Database } from '../storage/schema.ts';
import { safeguardsProblem } from './agreement.ts';
import { findAgreement } from './agreements.store.ts';

/**
 * Disclosures are blocked while the recipient's safeguards are not in order (IRS
 * Publication 1075; the agreement's `safeguards`): checked at release, inside its
 * transaction, against the latest version of the agreement, since a new version is how
 * the status is brought up to date. Nothing is released and the batch stays `matched`.
 * @throws ConflictError SAFEGUARDS_NOT_IN_ORDER
 * @example await assertSafeguardsInOrder(trx, 'ice-2026', new Date())
 */
export async function assertSafeguardsInOrder(
  db: Kysely<Database> | Transaction<Database>,
  agreementId: string,
  now: Date,
): Promise<void> {
  const agreement = await findAgreement(db, agreementId);
  const problem = agreement
    ? safeguardsProblem(agreement, now.toISOString().slice(0, 10))
    : 'the agreement is missing';
  if (problem) {
    throw new ConflictError(
      'SAFEGUARDS_NOT_IN_ORDER',
      `disclosures under agreement ${agreementId} are blocked: ${problem}. Apply a new version of the agreement once the safeguards are in order`,
      { agreement_id: agreementId },
    );
  }
}
