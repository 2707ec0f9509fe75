import type { FastifyRequest } from 'fastify';
import type { Taxgate } from '../app.ts';
import type { RequesterIdentity } from '../auth/client-assertion.ts';
import { operatorTokenMatches } from '../auth/operator-token.ts';
import { AuthenticationError, ForbiddenError } from '../errors.ts';

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

/** The requesting agency's client, from its signed client assertion. */
export async function requireRequester(
  tg: Taxgate,
  req: FastifyRequest,
): Promise<RequesterIdentity> {
  const token = bearer(req);
  if (!token)
    throw new AuthenticationError(
      'AUTHENTICATION_REQUIRED',
      'send a client assertion as Authorization: Bearer <JWT>',
    );
  return tg.authenticateRequester(token);
}

/** Who submitted a batch: an agency client, or an operator handing in a signed batch. */
export type Submitter =
  { kind: 'requester'; requester: RequesterIdentity } | { kind: 'operator'; actor: string };

/**
 * Batch submission needs an agency client assertion or the operator token; the
 * batch's own signature is checked after. Anonymous bodies are refused unread.
 */
export async function requireSubmitter(tg: Taxgate, req: FastifyRequest): Promise<Submitter> {
  if (operatorTokenMatches(tg.operatorToken, bearer(req))) {
    return { kind: 'operator', actor: requireOperator(tg, req) };
  }
  return { kind: 'requester', requester: await requireRequester(tg, req) };
}

/**
 * The local operator (token from the data folder). Returns the actor recorded in
 * events: the name the caller gives in Taxgate-Actor, under the token's authority.
 */
export function requireOperator(tg: Taxgate, req: FastifyRequest): string {
  if (!operatorTokenMatches(tg.operatorToken, bearer(req))) {
    throw new AuthenticationError(
      'AUTHENTICATION_REQUIRED',
      'operator routes need Authorization: Bearer <operator token from the data folder>',
    );
  }
  const name =
    String(req.headers['taxgate-actor'] ?? 'unnamed')
      .replace(/[^\w.@-]/g, '')
      .slice(0, 64) || 'unnamed';
  return `operator:${name}`;
}

/**
 * Who may read the ledger's published routes (ADR 0008): the operator, the auditor
 * (auditor.token) and, for checkpoints, hashes and proofs only, any registered agency
 * official, so a recipient can check its receipts. Entries (leaf bytes) name other
 * agencies' batches, so they are for the operator and the auditor alone.
 * @example const who = await requireLedgerReader(tg, req, 'entries')
 */
export async function requireLedgerReader(
  tg: Taxgate,
  req: FastifyRequest,
  what: 'hashes' | 'entries',
): Promise<'operator' | 'auditor' | 'requester'> {
  const token = bearer(req);
  if (operatorTokenMatches(tg.operatorToken, token)) return 'operator';
  if (operatorTokenMatches(tg.auditorToken, token)) return 'auditor';
  if (!token) {
    throw new AuthenticationError(
      'AUTHENTICATION_REQUIRED',
      'ledger routes need Authorization: Bearer <auditor token, operator token or client assertion>',
    );
  }
  await tg.authenticateRequester(token);
  if (what === 'entries') {
    throw new ForbiddenError(
      'LEDGER_ENTRIES_FORBIDDEN',
      'ledger entries are for the operator and the auditor; agencies may read checkpoints, hash tiles and proofs',
    );
  }
  return 'requester';
}
