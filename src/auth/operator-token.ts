import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The local operator credential: a random token in the data folder, readable only
 * by its owner. Whoever can read the folder can already open the database, so
 * the token gives CLI commands the same reach over the running server's API.
 * Staff logins with passwords and TOTP replace it for people (console issue).
 */
const FILE = 'operator.token';

export async function ensureOperatorToken(dataDir: string): Promise<string> {
  return ensureTokenFile(dataDir, FILE);
}

/**
 * The auditor credential (`auditor.token`, mode 0600): read-only access to the ledger's
 * published routes (checkpoints, proofs, tiles, entries) and nothing else, for whoever
 * audits the accounting (ADR 0008). Created with the data folder like the operator token.
 * @example const token = await ensureAuditorToken(config.dataDir)
 */
export async function ensureAuditorToken(dataDir: string): Promise<string> {
  return ensureTokenFile(dataDir, 'auditor.token');
}

async function ensureTokenFile(dataDir: string, file: string): Promise<string> {
  const path = join(dataDir, file);
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    const token = randomBytes(32).toString('base64url');
    await writeFile(path, token + '\n', { mode: 0o600, flag: 'wx' }).catch(() => undefined);
    return (await readFile(path, 'utf8')).trim();
  }
}

export async function readOperatorToken(dataDir: string): Promise<string | null> {
  try {
    return (await readFile(join(dataDir, FILE), 'utf8')).trim();
  } catch {
    return null;
  }
}

/** Constant-time comparison of a presented token with the expected one. */
export function operatorTokenMatches(expected: string, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(presented).digest();
  return timingSafeEqual(a, b);
}
