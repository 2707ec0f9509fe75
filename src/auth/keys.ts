import { mkdir, readFile, writeFile, access } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type CryptoKey,
} from 'jose';
import { InvalidInputError } from '../errors.ts';

/** An Ed25519 key pair as JWKs; the private one carries `d`. */
export interface KeyPair {
  privateJwk: JWK;
  publicJwk: JWK;
  /** RFC 7638 thumbprint of the public key, used as `kid`. */
  kid: string;
}

/** @example const { privateJwk, publicJwk, kid } = await generateEd25519KeyPair() */
export async function generateEd25519KeyPair(): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', {
    crv: 'Ed25519',
    extractable: true,
  });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'EdDSA' };
  return { privateJwk, publicJwk: { ...publicJwk, kid, alg: 'EdDSA' }, kid };
}

/** RFC 7638 thumbprint (SHA-256, base64url) of a public JWK. */
export function thumbprint(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint(jwk, 'sha256');
}

/** Checks that a JWK is an Ed25519 public key (no private part) and returns its clean form. */
export function asEd25519PublicJwk(value: unknown, what: string): JWK {
  const jwk = value as JWK | null;
  if (!jwk || typeof jwk !== 'object' || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.x) {
    throw new InvalidInputError('KEY_INVALID', `${what} is not an Ed25519 public JWK`);
  }
  if ('d' in jwk) {
    throw new InvalidInputError(
      'KEY_IS_PRIVATE',
      `${what} contains a private key: register only the .public.jwk file`,
    );
  }
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
}

export async function importPrivateJwk(jwk: JWK, what: string): Promise<CryptoKey> {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.d) {
    throw new InvalidInputError('KEY_INVALID', `${what} is not an Ed25519 private JWK`);
  }
  return (await importJWK(jwk, 'EdDSA')) as CryptoKey;
}

export async function importPublicJwk(jwk: JWK): Promise<CryptoKey> {
  return (await importJWK({ kty: 'OKP', crv: 'Ed25519', x: jwk.x }, 'EdDSA')) as CryptoKey;
}

export async function readJwkFile(path: string): Promise<JWK> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InvalidInputError('FILE_UNREADABLE', `cannot read key file ${path}`);
  }
  try {
    return JSON.parse(text) as JWK;
  } catch {
    throw new InvalidInputError('KEY_INVALID', `${path} is not a JSON Web Key`);
  }
}

/** Writes a key pair as PREFIX.private.jwk (mode 0600) and PREFIX.public.jwk. */
export async function writeKeyPair(
  prefix: string,
  pair: KeyPair,
): Promise<{ privatePath: string; publicPath: string }> {
  const privatePath = `${prefix}.private.jwk`;
  const publicPath = `${prefix}.public.jwk`;
  await mkdir(dirname(privatePath), { recursive: true });
  await writeFile(privatePath, JSON.stringify(pair.privateJwk, null, 2) + '\n', { mode: 0o600 });
  await writeFile(publicPath, JSON.stringify(pair.publicJwk, null, 2) + '\n');
  return { privatePath, publicPath };
}

/** Loads PREFIX.private.jwk, creating the pair first when it does not exist. */
export async function ensureKeyPair(prefix: string): Promise<{ privateJwk: JWK; kid: string }> {
  const privatePath = `${prefix}.private.jwk`;
  try {
    await access(privatePath);
  } catch {
    await writeKeyPair(prefix, await generateEd25519KeyPair());
  }
  const privateJwk = await readJwkFile(privatePath);
  const { d: _d, ...publicPart } = privateJwk;
  return { privateJwk, kid: await thumbprint(publicPart) };
}
