import { createHash } from 'node:crypto';
import { compactVerify, type CryptoKey } from 'jose';
import { z } from 'zod';

/**
 * The signed batch as it arrives: a JWS in compact form (`a.b.c`), in flattened
 * JSON form (`{"protected","payload","signature"}`), or a plain JSON envelope with
 * a detached compact signature (`a..c`) beside it (docs/formats.md#signed-batch).
 */
export interface SignedBatch {
  protectedB64: string;
  payloadB64: string;
  signatureB64: string;
  payload: Buffer;
}

/** Envelope-level problem before any item is read; `code` is a batch rejection code. */
export class EnvelopeProblem {
  constructor(
    readonly code: string,
    readonly message: string,
  ) {}
}

const B64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Splits a submission into its JWS parts without trusting anything yet.
 * @example parseSignedBatch(Buffer.from(fs.readFileSync('batch.jws')))
 */
export function parseSignedBatch(
  body: Buffer,
  detachedSignature?: string,
): SignedBatch | EnvelopeProblem {
  if (detachedSignature !== undefined) {
    const [p, empty, s, ...more] = detachedSignature.trim().split('.');
    if (!p || empty !== '' || !s || more.length > 0 || !B64URL.test(p) || !B64URL.test(s)) {
      return new EnvelopeProblem(
        'BATCH_MALFORMED',
        'the detached signature must be a compact JWS with an empty payload part (header..signature)',
      );
    }
    return {
      protectedB64: p,
      payloadB64: body.toString('base64url'),
      signatureB64: s,
      payload: body,
    };
  }
  const text = body.toString('utf8').trim();
  if (text.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      return new EnvelopeProblem('BATCH_MALFORMED', 'the body is not valid JSON');
    }
    const o = obj as Record<string, unknown>;
    if (
      typeof o.protected === 'string' &&
      typeof o.payload === 'string' &&
      typeof o.signature === 'string'
    ) {
      if (![o.protected, o.payload, o.signature].every((x) => B64URL.test(x as string))) {
        return new EnvelopeProblem('BATCH_MALFORMED', 'JWS parts must be base64url');
      }
      return {
        protectedB64: o.protected,
        payloadB64: o.payload,
        signatureB64: o.signature,
        payload: Buffer.from(o.payload, 'base64url'),
      };
    }
    return new EnvelopeProblem(
      'BATCH_UNSIGNED',
      'a JSON body must be a flattened JWS, or carry its detached signature in the Taxgate-Signature header',
    );
  }
  const parts = text.split('.');
  if (parts.length !== 3 || !parts.every((x) => B64URL.test(x)) || !parts[0] || !parts[2]) {
    return new EnvelopeProblem(
      'BATCH_MALFORMED',
      'the body is not a JWS (compact or flattened JSON)',
    );
  }
  return {
    protectedB64: parts[0],
    payloadB64: parts[1]!,
    signatureB64: parts[2],
    payload: Buffer.from(parts[1]!, 'base64url'),
  };
}

const SubmittedAt = z.iso.datetime({ offset: true });

/** The batch envelope (docs/formats.md#batch-envelope). Items are judged one by one later. */
export const EnvelopeSchema = z.object({
  agreement_id: z.string().min(1).max(64),
  signed_by: z.string().min(1).max(64),
  submitted_at: SubmittedAt,
  items: z.array(z.unknown()),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** Reads the envelope from the (still unverified) payload. */
export function readEnvelope(batch: SignedBatch): Envelope | EnvelopeProblem {
  let json: unknown;
  try {
    json = JSON.parse(batch.payload.toString('utf8'));
  } catch {
    return new EnvelopeProblem('BATCH_MALFORMED', 'the signed payload is not valid JSON');
  }
  const parsed = EnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.') || 'envelope'}: ${i.message}`);
    return new EnvelopeProblem(
      'BATCH_MALFORMED',
      `the envelope is invalid: ${where.slice(0, 5).join('; ')}`,
    );
  }
  return parsed.data;
}

/** True when the JWS verifies with the key and declares EdDSA; never throws. */
export async function verifyBatchSignature(batch: SignedBatch, key: CryptoKey): Promise<boolean> {
  try {
    const { protectedHeader } = await compactVerify(
      `${batch.protectedB64}.${batch.payloadB64}.${batch.signatureB64}`,
      key,
      { algorithms: ['EdDSA', 'Ed25519'] },
    );
    return protectedHeader.b64 !== false;
  } catch {
    return false;
  }
}

/** SHA-256 of the signed payload: the batch's identity for safe resubmission. */
export function envelopeDigest(batch: SignedBatch): string {
  return createHash('sha256').update(batch.payload).digest('hex');
}
