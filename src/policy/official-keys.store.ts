import type { JWK } from 'jose';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database, OfficialKeysTable } from '../storage/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type OfficialKeyRow = Selectable<OfficialKeysTable>;

/** Every key an official ever had, oldest first: retired and revoked keys are kept forever. */
export async function listOfficialKeys(db: Db, officialId: string): Promise<OfficialKeyRow[]> {
  return db
    .selectFrom('official_keys')
    .selectAll()
    .where('official_id', '=', officialId)
    .orderBy('added_at')
    .orderBy('thumbprint')
    .execute();
}

export async function insertOfficialKey(
  trx: Db,
  row: { official_id: string; thumbprint: string; public_jwk: JWK; added_by: string },
): Promise<void> {
  await trx
    .insertInto('official_keys')
    .values({ ...row, public_jwk: JSON.stringify(row.public_jwk) })
    .execute();
}

/** Retires every key of the official still in use but `keep`; returns their thumbprints. */
export async function retireOtherKeys(
  trx: Transaction<Database>,
  officialId: string,
  keep: string,
): Promise<string[]> {
  const r = await trx
    .updateTable('official_keys')
    .set({ retired_at: sql`now()` })
    .where('official_id', '=', officialId)
    .where('thumbprint', '<>', keep)
    .where('retired_at', 'is', null)
    .returning('thumbprint')
    .execute();
  return r.map((x) => x.thumbprint);
}

/** Makes `key` the official's current key (the one client assertions verify with). */
export async function setCurrentKey(
  trx: Transaction<Database>,
  officialId: string,
  key: JWK,
  thumbprint: string,
): Promise<void> {
  await trx
    .updateTable('officials')
    .set({ public_jwk: JSON.stringify(key), key_thumbprint: thumbprint })
    .where('id', '=', officialId)
    .execute();
}

/** Marks a key revoked from `since`; false when it was already revoked. */
export async function markRevoked(
  trx: Transaction<Database>,
  officialId: string,
  thumbprint: string,
  since: Date,
  reason: string,
): Promise<boolean> {
  const r = await trx
    .updateTable('official_keys')
    .set({ revoked_at: since, revocation_reason: reason })
    .where('official_id', '=', officialId)
    .where('thumbprint', '=', thumbprint)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
