import { isDeepStrictEqual } from 'node:util';
import type { Kysely, Transaction } from 'kysely';
import type { JWK } from 'jose';
import { appendEvents } from '../ledger/events.store.ts';
import type { Database } from '../storage/schema.ts';
import { readAgreement, type AgreementDocument, type AgreementVersion } from './agreement.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The latest version of an agreement, or null. */
export async function findAgreement(db: Db, id: string): Promise<AgreementVersion | null> {
  const row = await db
    .selectFrom('agreements')
    .select(['version', 'document'])
    .where('id', '=', id)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row
    ? { ...readAgreement(row.document as unknown as AgreementDocument), version: row.version }
    : null;
}

export interface ApplyResult {
  id: string;
  version: number;
  changed: boolean;
}

/**
 * Stores the agreement as a new version when it differs from the latest one;
 * applying the same file again changes nothing.
 */
export async function applyAgreement(
  db: Kysely<Database>,
  agreement: AgreementDocument,
  actor: string,
): Promise<ApplyResult> {
  return db.transaction().execute(async (trx) => {
    // Serialise concurrent applies of one agreement id.
    await trx
      .selectFrom('agreements')
      .select('version')
      .where('id', '=', agreement.id)
      .forUpdate()
      .execute();
    const latest = await trx
      .selectFrom('agreements')
      .select(['version', 'document'])
      .where('id', '=', agreement.id)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    // The document is compared as applied (format 1 stays format 1).
    if (latest && isDeepStrictEqual(latest.document, JSON.parse(JSON.stringify(agreement)))) {
      return { id: agreement.id, version: latest.version, changed: false };
    }
    const version = (latest?.version ?? 0) + 1;
    await trx
      .insertInto('agreements')
      .values({
        id: agreement.id,
        version,
        requesting_agency: agreement.requesting_agency,
        document: JSON.stringify(agreement),
      })
      .execute();
    await appendEvents(trx, [
      { type: 'agreement.applied', actor, payload: { agreement_id: agreement.id, version } },
    ]);
    return { id: agreement.id, version, changed: true };
  });
}

export interface Official {
  id: string;
  agreement_id: string;
  name: string;
  role: string;
  public_jwk: JWK;
  key_thumbprint: string;
}

export async function findOfficial(db: Db, id: string): Promise<Official | null> {
  const row = await db.selectFrom('officials').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { ...row, public_jwk: row.public_jwk as JWK } : null;
}

export async function insertOfficial(
  db: Kysely<Database>,
  official: Official,
  actor: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('officials')
      .values({ ...official, public_jwk: JSON.stringify(official.public_jwk) })
      .execute();
    await trx
      .insertInto('official_keys')
      .values({
        official_id: official.id,
        thumbprint: official.key_thumbprint,
        public_jwk: JSON.stringify(official.public_jwk),
        added_by: actor,
      })
      .execute();
    await appendEvents(trx, [
      {
        type: 'official.added',
        actor,
        payload: {
          official_id: official.id,
          agreement_id: official.agreement_id,
          role: official.role,
          key_thumbprint: official.key_thumbprint,
        },
      },
    ]);
  });
}

/** One stored version of an agreement (the one a batch was judged under). */
export async function findAgreementVersion(
  db: Db,
  id: string,
  version: number,
): Promise<AgreementVersion> {
  const row = await db
    .selectFrom('agreements')
    .select(['version', 'document'])
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirstOrThrow();
  return { ...readAgreement(row.document as unknown as AgreementDocument), version: row.version };
}
