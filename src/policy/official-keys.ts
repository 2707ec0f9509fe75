import type { JWK, CryptoKey } from 'jose';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { asEd25519PublicJwk, importPublicJwk, thumbprint } from '../auth/keys.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import { appendEvents } from '../ledger/events.store.ts';
import type { Database } from '../storage/schema.ts';
import { findOfficial } from './agreements.store.ts';
import {
  insertOfficialKey,
  listOfficialKeys,
  markRevoked,
  retireOtherKeys,
  setCurrentKey,
  type OfficialKeyRow,
} from './official-keys.store.ts';

/**
 * Officials' keys: rotation and revocation (issue 4 §1). Every key an official ever
 * had is kept (`official_keys`); a key is *current* until it is retired by a rotation
 * or revoked. Batches and client assertions are checked at the time taxgate receives
 * them — the only signing time it can vouch for, since `submitted_at` is the signer's
 * own claim — so a signature by a key revoked (or retired) at or before that time fails.
 */

/** A key's status at an instant. */
export type KeyStatus = 'current' | 'retired' | 'revoked';

/** The status of a key at `at`: revocation wins over retirement. */
export function keyStatusAt(
  k: Pick<OfficialKeyRow, 'retired_at' | 'revoked_at'>,
  at: Date,
): KeyStatus {
  if (k.revoked_at && new Date(k.revoked_at).getTime() <= at.getTime()) return 'revoked';
  if (k.retired_at && new Date(k.retired_at).getTime() <= at.getTime()) return 'retired';
  return 'current';
}

/** What a signature check found: the key that verified it and its status, or none. */
export type SignatureCheck =
  { verified: false } | { verified: true; thumbprint: string; status: KeyStatus };

/**
 * Finds which of the official's keys (current, retired or revoked) verifies a
 * signature, and that key's status at `at`.
 * @example const r = await checkOfficialSignature(db, id, (k) => verifyBatchSignature(signed, k), now)
 */
export async function checkOfficialSignature(
  db: Kysely<Database>,
  officialId: string,
  verify: (key: CryptoKey) => Promise<boolean>,
  at: Date,
): Promise<SignatureCheck> {
  const keys = await listOfficialKeys(db, officialId);
  // The newest key first: the usual case verifies on the first try.
  for (const k of [...keys].reverse()) {
    if (await verify(await importPublicJwk(k.public_jwk as JWK))) {
      return { verified: true, thumbprint: k.thumbprint, status: keyStatusAt(k, at) };
    }
  }
  return { verified: false };
}

/** Whether the official's current key (the one client assertions verify with) is usable at `at`. */
export async function currentKeyUsable(
  db: Kysely<Database>,
  officialId: string,
  keyThumbprint: string,
  at: Date,
): Promise<boolean> {
  const k = (await listOfficialKeys(db, officialId)).find((x) => x.thumbprint === keyThumbprint);
  return k !== undefined && keyStatusAt(k, at) === 'current';
}

export interface OfficialKeyView {
  thumbprint: string;
  added_at: string;
  added_by: string;
  retired_at: string | null;
  revoked_at: string | null;
  revocation_reason: string | null;
}

function view(k: OfficialKeyRow): OfficialKeyView {
  const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
  return {
    thumbprint: k.thumbprint,
    added_at: iso(k.added_at)!,
    added_by: k.added_by,
    retired_at: iso(k.retired_at),
    revoked_at: iso(k.revoked_at),
    revocation_reason: k.revocation_reason,
  };
}

async function officialOrThrow(db: Kysely<Database>, officialId: string) {
  const official = await findOfficial(db, officialId);
  if (!official) throw new NotFoundError('OFFICIAL_NOT_FOUND', `no official ${officialId}`);
  return official;
}

/** Every key of an official, oldest first, with its status. */
export async function officialKeys(
  db: Kysely<Database>,
  officialId: string,
): Promise<OfficialKeyView[]> {
  await officialOrThrow(db, officialId);
  return (await listOfficialKeys(db, officialId)).map(view);
}

/**
 * Rotates an official's key: the new key becomes current and every other key still
 * current is retired now (kept forever), with `official.key_rotated` in the same
 * transaction.
 * @throws NotFoundError OFFICIAL_NOT_FOUND
 * @throws InvalidInputError KEY_INVALID, KEY_IS_PRIVATE
 * @throws ConflictError KEY_ALREADY_REGISTERED (the key was this official's before)
 */
export async function rotateOfficialKey(
  db: Kysely<Database>,
  officialId: string,
  publicJwk: unknown,
  actor: string,
): Promise<{ official_id: string; thumbprint: string; retired: string[] }> {
  await officialOrThrow(db, officialId);
  const jwk = asEd25519PublicJwk(publicJwk, 'the public key');
  const tp = await thumbprint(jwk);
  return db.transaction().execute(async (trx) => {
    // One rotation of an official at a time: two at once would each leave their key
    // current, and the official row would name only one of them.
    await trx
      .selectFrom('officials')
      .select('id')
      .where('id', '=', officialId)
      .forUpdate()
      .execute();
    const known = (await listOfficialKeys(trx, officialId)).some((k) => k.thumbprint === tp);
    if (known)
      throw new ConflictError(
        'KEY_ALREADY_REGISTERED',
        `key ${tp} was registered for official ${officialId} before; a retired or revoked key is never used again`,
      );
    await insertOfficialKey(trx, {
      official_id: officialId,
      thumbprint: tp,
      public_jwk: jwk,
      added_by: actor,
    });
    const retired = await retireOtherKeys(trx, officialId, tp);
    await setCurrentKey(trx, officialId, jwk, tp);
    await appendEvents(trx, [
      {
        type: 'official.key_rotated',
        actor,
        payload: { official_id: officialId, key_thumbprint: tp, retired },
      },
    ]);
    return { official_id: officialId, thumbprint: tp, retired };
  });
}

const RevokeSchema = z.strictObject({
  /** From when the key is not to be trusted (e.g. when it may have been exposed); default now. */
  revoked_at: z.iso.datetime({ offset: true }).optional(),
  reason: z
    .string()
    .trim()
    .min(1, 'a reason is required')
    .max(500)
    .regex(/^[^\p{Cc}\p{Cf}<>]*$/u, 'no control or markup characters'),
});

/**
 * Revokes one of an official's keys from `revoked_at` (default now; an earlier time
 * when the key may have been exposed before), with `official.key_revoked` in the same
 * transaction. A signature by it received at or after that time fails
 * (`BATCH_KEY_REVOKED`, `CLIENT_ASSERTION_INVALID`). A revocation is never undone.
 * @throws InvalidInputError KEY_REVOCATION_INVALID
 * @throws NotFoundError OFFICIAL_NOT_FOUND, KEY_NOT_FOUND
 * @throws ConflictError KEY_ALREADY_REVOKED
 */
export async function revokeOfficialKey(
  db: Kysely<Database>,
  officialId: string,
  keyThumbprint: string,
  input: unknown,
  actor: string,
  now: Date = new Date(),
): Promise<OfficialKeyView> {
  const parsed = RevokeSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(body)'}: ${i.message}`,
    );
    throw new InvalidInputError(
      'KEY_REVOCATION_INVALID',
      `the revocation is invalid:\n  - ${problems.join('\n  - ')}`,
      { problems },
    );
  }
  const since = parsed.data.revoked_at ? new Date(parsed.data.revoked_at) : now;
  if (since.getTime() > now.getTime()) {
    throw new InvalidInputError(
      'KEY_REVOCATION_INVALID',
      'revoked_at is in the future: revoke the key when it is to stop working',
    );
  }
  await officialOrThrow(db, officialId);
  return db.transaction().execute(async (trx) => {
    const key = (await listOfficialKeys(trx, officialId)).find(
      (k) => k.thumbprint === keyThumbprint,
    );
    if (!key)
      throw new NotFoundError(
        'KEY_NOT_FOUND',
        `official ${officialId} has no key ${keyThumbprint}`,
      );
    if (!(await markRevoked(trx, officialId, keyThumbprint, since, parsed.data.reason)))
      throw new ConflictError('KEY_ALREADY_REVOKED', `key ${keyThumbprint} is already revoked`);
    await appendEvents(trx, [
      {
        type: 'official.key_revoked',
        actor,
        payload: {
          official_id: officialId,
          key_thumbprint: keyThumbprint,
          revoked_at: since.toISOString(),
        },
      },
    ]);
    return view(
      (await listOfficialKeys(trx, officialId)).find((k) => k.thumbprint === keyThumbprint)!,
    );
  });
}
