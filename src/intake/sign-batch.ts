import { CompactSign, type CryptoKey } from 'jose';

/**
 * The requesting agency's side: signs a batch envelope as a compact JWS
 * (EdDSA over the envelope's JSON bytes), as `taxgate batch sign` does.
 * @example await signBatchEnvelope({ agreement_id, signed_by, submitted_at, items }, key)
 */
export function signBatchEnvelope(envelope: unknown, key: CryptoKey): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(envelope)))
    .setProtectedHeader({ alg: 'EdDSA', typ: 'taxgate-batch+jws' })
    .sign(key);
}
