import type { Kysely } from 'kysely';
import { reindexAddressesOfRecord } from '../../matching/engine.store.ts';
import type { Database } from '../schema.ts';

/**
 * The street parser now keeps every secondary unit of a line and the words after the
 * street it cannot read ('BLDG 2 APT 4', 'FLAT 4'), and reads '½' as a fraction
 * (ADR 0012). Addresses of record indexed before kept one unit, or none, or the wrong
 * house number: their features are computed again, and only those that changed are
 * rewritten with their blocking keys. No schema changes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await reindexAddressesOfRecord(db as unknown as Kysely<Database>, undefined, {
    onlyChanged: true,
  });
}

export async function down(): Promise<void> {
  throw new Error('taxgate migrations are forward-only');
}
