/**
 * Keyed hashes for subjects (DESIGN.md §Ledger, docs/ledger.md §Subjects).
 *
 * A leaf never carries taxpayer data in the clear, so the ledger can be handed to an
 * auditor whole. When an event must say *whose* return was inspected or disclosed, its
 * payload carries `subjectHash(key, 'tin:' + tin)` instead: HMAC-SHA-256 under a key kept
 * in the data folder (`keys/ledger-subject.key`), separate from the result-signing and
 * checkpoint keys. Whoever holds the key can find every entry about one taxpayer (the
 * accounting of §6103(p)(3)(A)); whoever holds only the ledger learns nothing, not even by
 * hashing all 10^9 possible TINs, as a plain hash would allow.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InvalidInputError } from '../errors.ts';

/**
 * Where the subject key lives inside a data folder.
 * @example join(dataDir, SUBJECT_KEY_FILE) // '<data>/keys/ledger-subject.key'
 */
export const SUBJECT_KEY_FILE = join('keys', 'ledger-subject.key');

const KEY_BYTES = 32;

/**
 * The keyed hash of one subject, as base64url without padding (43 characters).
 * By convention `value` is typed and normalised: `tin:` followed by the nine digits.
 * @throws RangeError when the key is shorter than 32 bytes
 * @example subjectHash(key, 'tin:123456789') // 'q3Zf…' (the same for the same key and TIN)
 */
export function subjectHash(key: Uint8Array, value: string): string {
  if (key.length < KEY_BYTES) throw new RangeError(`a subject key has at least ${KEY_BYTES} bytes`);
  return createHmac('sha256', key).update(value, 'utf8').digest('base64url');
}

/**
 * Loads the data folder's subject key, creating it (32 random bytes, base64 text, mode
 * 0600) when there is none. Every server writing to one database needs the same key:
 * copy the file; never replace it, or earlier hashes no longer match.
 * @throws InvalidInputError when the file exists but does not hold a key
 * @example const key = await ensureSubjectKey(config.dataDir)
 */
export async function ensureSubjectKey(dataDir: string): Promise<Uint8Array> {
  const path = join(dataDir, SUBJECT_KEY_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    await mkdir(dirname(path), { recursive: true });
    const fresh = randomBytes(KEY_BYTES).toString('base64');
    // 'wx': when two processes race, the first key written wins and both read it.
    await writeFile(path, fresh + '\n', { mode: 0o600, flag: 'wx' }).catch(() => undefined);
    text = await readFile(path, 'utf8');
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length < KEY_BYTES || key.toString('base64') !== text.trim()) {
    throw new InvalidInputError(
      'KEY_INVALID',
      `${path} does not hold a ledger subject key (${KEY_BYTES} bytes of base64)`,
    );
  }
  return new Uint8Array(key);
}
