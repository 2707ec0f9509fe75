import type { Kysely } from 'kysely';
import { decodeJwt, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { AuthenticationError } from '../errors.ts';
import { findAgreement, findOfficial } from '../policy/agreements.store.ts';
import { currentKeyUsable } from '../policy/official-keys.ts';
import type { Database } from '../storage/schema.ts';
import { useAssertion } from './assertions.store.ts';
import { importPublicJwk } from './keys.ts';

/** The audience every client assertion must name. */
export const CLIENT_ASSERTION_AUDIENCE = 'taxgate';
const MAX_LIFETIME_S = 300;

export interface RequesterIdentity {
  officialId: string;
  agreementId: string;
  agency: string;
}

/**
 * Authenticates a requesting-agency client by a short-lived JWT it signed with a
 * registered official's key (`private_key_jwt` style: iss = sub = official id,
 * aud = "taxgate", exp at most five minutes after iat, a `jti` used once).
 */
export async function verifyClientAssertion(
  db: Kysely<Database>,
  token: string,
): Promise<RequesterIdentity> {
  let sub: string | undefined;
  try {
    sub = decodeJwt(token).sub;
  } catch {
    throw new AuthenticationError('CLIENT_ASSERTION_INVALID', 'the bearer token is not a JWT');
  }
  const official = sub ? await findOfficial(db, sub) : null;
  if (!official)
    throw new AuthenticationError(
      'CLIENT_ASSERTION_INVALID',
      'the client assertion names no registered official',
    );
  let jti: string;
  let exp: number;
  try {
    const { payload } = await jwtVerify(token, await importPublicJwk(official.public_jwk), {
      audience: CLIENT_ASSERTION_AUDIENCE,
      issuer: official.id,
      subject: official.id,
      algorithms: ['EdDSA'],
      requiredClaims: ['exp', 'iat', 'jti'],
      maxTokenAge: MAX_LIFETIME_S,
    });
    if (payload.exp! - payload.iat! > MAX_LIFETIME_S) throw new Error('lifetime too long');
    if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 200)
      throw new Error('jti must be a string of 1 to 200 characters');
    jti = payload.jti;
    exp = payload.exp!;
  } catch {
    throw new AuthenticationError(
      'CLIENT_ASSERTION_INVALID',
      'the client assertion did not verify (signature, audience, issuer, lifetime or jti)',
    );
  }
  // The official's current key may have been revoked since (official-keys.ts).
  if (!(await currentKeyUsable(db, official.id, official.key_thumbprint, new Date())))
    throw new AuthenticationError(
      'CLIENT_ASSERTION_INVALID',
      "the official's key is revoked: register a new one with 'taxgate official rotate-key'",
    );
  // One request per assertion: a copy caught in transit is worth nothing.
  if (!(await useAssertion(db, official.id, jti, new Date(exp * 1000))))
    throw new AuthenticationError(
      'CLIENT_ASSERTION_REPLAYED',
      'this client assertion was already used: make a new one (new jti) for every request',
    );
  const agreement = await findAgreement(db, official.agreement_id);
  if (!agreement)
    throw new AuthenticationError('CLIENT_ASSERTION_INVALID', 'the official has no agreement');
  return {
    officialId: official.id,
    agreementId: agreement.id,
    agency: agreement.requesting_agency,
  };
}

/** Makes a client assertion (the requesting agency's side; used by tests and tools). */
export function makeClientAssertion(
  officialId: string,
  key: CryptoKey,
  now = new Date(),
): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'EdDSA' })
    .setIssuer(officialId)
    .setSubject(officialId)
    .setAudience(CLIENT_ASSERTION_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 120)
    .setJti(crypto.randomUUID())
    .sign(key);
}
