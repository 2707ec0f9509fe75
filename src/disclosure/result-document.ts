import { CompactSign, compactVerify, decodeProtectedHeader, type CryptoKey } from 'jose';
import type { ResultCode } from '../policy/reason-codes.ts';

/** Version of the result document format (docs/formats.md#result-document). */
export const RESULT_FORMAT = 'taxgate-result/1';

/** The notice every result document carries. */
export const RESULT_NOTICE =
  'Each result is a point-in-time answer from tax records under 26 U.S.C. 6103(i)(2). ' +
  'It must be independently verified before any adverse action is taken. ' +
  'NOT_CONFIRMED does not say why. Unauthorized inspection or disclosure of return ' +
  'information is a crime (26 U.S.C. 7213, 7213A) and gives rise to civil damages (7431).';

export interface ResultItem {
  request_id: string | null;
  result: ResultCode;
  reasons: string[];
}

export interface ResultDocument {
  format: typeof RESULT_FORMAT;
  batch_id: string;
  agreement_id: string;
  issued_at: string;
  items: ResultItem[];
  notice: string;
}

/**
 * Turns proposed outcomes into what may be released: only request ids, result
 * codes and, for rejections, the reason codes about the request. A NOT_CONFIRMED
 * answer never says why.
 * @example buildResultDocument({ batchId, agreementId, issuedAt, outcomes })
 */
export function buildResultDocument(input: {
  batchId: string;
  agreementId: string;
  issuedAt: Date;
  outcomes: { request_id: string | null; outcome: string; reasons: string[] }[];
}): ResultDocument {
  return {
    format: RESULT_FORMAT,
    batch_id: input.batchId,
    agreement_id: input.agreementId,
    issued_at: input.issuedAt.toISOString(),
    items: input.outcomes.map((o) => {
      const result = releasable(o.outcome);
      return {
        request_id: o.request_id,
        result,
        reasons: result.startsWith('REJECTED_') ? o.reasons : [],
      };
    }),
    notice: RESULT_NOTICE,
  };
}

function releasable(outcome: string): ResultCode {
  switch (outcome) {
    case 'CONFIRMED':
    case 'NOT_CONFIRMED':
    case 'REJECTED_INCOMPLETE':
    case 'REJECTED_INELIGIBLE':
    case 'REJECTED_DUPLICATE':
    case 'SUSPENDED':
      return outcome;
    default:
      throw new Error(`outcome ${outcome} cannot be released`);
  }
}

/** Signs the document as a compact JWS (EdDSA, `kid` = RFC 7638 thumbprint). */
export async function signResultDocument(
  doc: ResultDocument,
  key: CryptoKey,
  kid: string,
): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(doc)))
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'taxgate-result+jws' })
    .sign(key);
}

/** Reads the document out of a stored JWS (already trusted: we signed it). */
export function decodeResultJws(jws: string): ResultDocument {
  return JSON.parse(
    Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8'),
  ) as ResultDocument;
}

/** Verifies a result JWS with the tax agency's public key; returns the document. */
export async function verifyResultJws(
  jws: string,
  key: CryptoKey,
): Promise<{ document: ResultDocument; kid: string | undefined }> {
  const { payload } = await compactVerify(jws, key, { algorithms: ['EdDSA'] });
  return {
    document: JSON.parse(new TextDecoder().decode(payload)) as ResultDocument,
    kid: decodeProtectedHeader(jws).kid,
  };
}
