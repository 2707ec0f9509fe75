import type { Kysely } from 'kysely';
import { reindexAddressesOfRecord } from '../../matching/engine.store.ts';
import type { Database } from '../schema.ts';

/**
 * The body of a migration whose only change is how features are computed from a
 * return (a parser or normaliser change, 0012 onwards): every address of record's
 * features are computed again, and only those that changed are rewritten with their
 * blocking keys. No schema changes.
 */
export async function recomputeChangedFeatures(db: Kysely<unknown>): Promise<void> {
  await reindexAddressesOfRecord(db as unknown as Kysely<Database>, undefined, {
    onlyChanged: true,
  });
}

export async function forwardOnly(): Promise<void> {
  throw new Error('taxgate migrations are forward-only');
}
