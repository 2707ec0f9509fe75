/**
 * The ledger key: the Ed25519 key that signs checkpoints. It is its own key, separate from
 * the result-signing key (`keys/result.*`) and the subject HMAC key
 * (`keys/ledger-subject.key`), so each can be rotated, guarded or handed over without the
 * others: auditors trust the ledger key; agencies trust the result key.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import { ensureKeyPair, readJwkFile } from '../auth/keys.ts';
import { InvalidInputError } from '../errors.ts';
import { verifierKey, type NoteSigner } from './checkpoint.ts';

/**
 * Path prefix of the ledger key pair in a data folder (`.private.jwk`, `.public.jwk`).
 * @example join(dataDir, LEDGER_KEY_PREFIX) + '.public.jwk'
 */
export const LEDGER_KEY_PREFIX = join('keys', 'ledger-checkpoint');

/**
 * Loads the data folder's ledger key, creating it on first use (mode 0600), as a note
 * signer named `origin`, with its C2SP verifier key string.
 * @throws InvalidInputError KEY_INVALID when the file is not an Ed25519 private JWK
 * @example const { signer, vkey } = await ensureLedgerSigner(config.dataDir, config.ledgerOrigin)
 */
export async function ensureLedgerSigner(
  dataDir: string,
  origin: string,
): Promise<{ signer: NoteSigner; vkey: string }> {
  const { privateJwk } = await ensureKeyPair(join(dataDir, LEDGER_KEY_PREFIX));
  let privateKey;
  try {
    privateKey = createPrivateKey({ key: privateJwk as never, format: 'jwk' });
  } catch {
    privateKey = undefined;
  }
  if (!privateKey || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new InvalidInputError(
      'KEY_INVALID',
      `${join(dataDir, LEDGER_KEY_PREFIX)}.private.jwk is not an Ed25519 private JWK`,
    );
  }
  return { signer: { name: origin, privateKey }, vkey: verifierKey(origin, privateKey) };
}

/**
 * The verifier key of the data folder's ledger key, read from its public half without
 * creating anything (for `ledger verify` on a copy). Null when the folder has no key.
 * @example const vkey = await readLedgerVerifierKey(config.dataDir, config.ledgerOrigin)
 */
export async function readLedgerVerifierKey(
  dataDir: string,
  origin: string,
): Promise<string | null> {
  const path = `${join(dataDir, LEDGER_KEY_PREFIX)}.public.jwk`;
  let jwk;
  try {
    jwk = await readJwkFile(path);
  } catch {
    return null;
  }
  try {
    return verifierKey(
      origin,
      createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x } as never, format: 'jwk' }),
    );
  } catch {
    throw new InvalidInputError('KEY_INVALID', `${path} is not an Ed25519 public JWK`);
  }
}
