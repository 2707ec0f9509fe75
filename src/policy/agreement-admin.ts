import type { Kysely } from 'kysely';
import { asEd25519PublicJwk, thumbprint } from '../auth/keys.ts';
import { InvalidInputError, NotFoundError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Database } from '../storage/schema.ts';
import { AgreementSchema, roleNames } from './agreement.ts';
import {
  applyAgreement,
  findAgreement,
  insertOfficial,
  type ApplyResult,
} from './agreements.store.ts';

/**
 * Validates an agreement document and applies it as a new version.
 * @example await applyAgreementDocument(db, JSON.parse(text), 'admin:cli')
 */
export async function applyAgreementDocument(
  db: Kysely<Database>,
  doc: unknown,
  actor: string,
): Promise<ApplyResult> {
  const parsed = AgreementSchema.safeParse(doc);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(file)'}: ${i.message}`,
    );
    throw new InvalidInputError(
      'AGREEMENT_INVALID',
      `the agreement is invalid:\n  - ${problems.join('\n  - ')}`,
      { problems },
    );
  }
  return applyAgreement(db, parsed.data, actor);
}

export interface NewOfficial {
  agreement_id: string;
  name: string;
  role: string;
  public_jwk: unknown;
}

/** Registers a signing official whose role the agreement allows. Returns its id. */
export async function addOfficial(
  db: Kysely<Database>,
  input: NewOfficial,
  actor: string,
): Promise<{ id: string }> {
  const agreement = await findAgreement(db, input.agreement_id);
  if (!agreement) {
    throw new NotFoundError(
      'AGREEMENT_NOT_FOUND',
      `no agreement ${input.agreement_id}: apply it first with 'taxgate agreement apply'`,
    );
  }
  const name = input.name.trim();
  if (!name || name.length > 200)
    throw new InvalidInputError('OFFICIAL_NAME_INVALID', 'the name must be 1 to 200 characters');
  if (!roleNames(agreement).includes(input.role)) {
    throw new InvalidInputError(
      'ROLE_NOT_IN_AGREEMENT',
      `role '${input.role}' is not a signatory role of agreement ${agreement.id} (allowed: ${roleNames(agreement).join(', ')})`,
    );
  }
  const publicJwk = asEd25519PublicJwk(input.public_jwk, 'the public key');
  const id = newId('off');
  await insertOfficial(
    db,
    {
      id,
      agreement_id: agreement.id,
      name,
      role: input.role,
      public_jwk: publicJwk,
      key_thumbprint: await thumbprint(publicJwk),
    },
    actor,
  );
  return { id };
}
