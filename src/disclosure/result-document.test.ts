import { describe, expect, it } from 'vitest';
import { generateEd25519KeyPair, importPrivateJwk, importPublicJwk } from '../auth/keys.ts';
import {
  buildResultDocument,
  decodeResultJws,
  RESULT_FORMAT,
  RESULT_NOTICE,
  signResultDocument,
  verifyResultJws,
} from './result-document.ts';

const ISSUED_AT = new Date('2026-06-15T12:00:00Z');

const build = (outcomes: { request_id: string | null; outcome: string; reasons: string[] }[]) =>
  buildResultDocument({ batchId: 'bat_1', agreementId: 'ice-2026', issuedAt: ISSUED_AT, outcomes });

const sample = () =>
  build([
    { request_id: 'r-1', outcome: 'CONFIRMED', reasons: [] },
    { request_id: 'r-2', outcome: 'NOT_CONFIRMED', reasons: ['MATCH_AMBIGUOUS'] },
    { request_id: 'r-3', outcome: 'REJECTED_INCOMPLETE', reasons: ['ADDRESS_PLACEHOLDER'] },
  ]);

describe('buildResultDocument', () => {
  it('never releases the reasons of NOT_CONFIRMED', () => {
    const doc = build([
      { request_id: 'r-1', outcome: 'NOT_CONFIRMED', reasons: ['MATCH_AMBIGUOUS'] },
      { request_id: 'r-2', outcome: 'NOT_CONFIRMED', reasons: ['MATCH_NONE'] },
    ]);
    expect(doc.items.map((i) => i.reasons)).toEqual([[], []]);
    expect(JSON.stringify(doc)).not.toMatch(/MATCH_/);
  });

  it('releases no reasons with CONFIRMED or SUSPENDED', () => {
    const doc = build([
      { request_id: 'r-1', outcome: 'CONFIRMED', reasons: ['MATCH_NONE'] },
      { request_id: 'r-2', outcome: 'SUSPENDED', reasons: ['COURT_ORDER'] },
    ]);
    expect(doc.items).toEqual([
      { request_id: 'r-1', result: 'CONFIRMED', reasons: [] },
      { request_id: 'r-2', result: 'SUSPENDED', reasons: [] },
    ]);
  });

  it.each([
    ['REJECTED_INCOMPLETE', ['ADDRESS_PLACEHOLDER', 'NAME_MISSING']],
    ['REJECTED_INELIGIBLE', ['REMOVAL_ORDER_WITHIN_90_DAYS']],
    ['REJECTED_DUPLICATE', ['DUPLICATE_SUBJECT']],
  ])('keeps the reasons of %s', (outcome, reasons) => {
    const doc = build([{ request_id: null, outcome, reasons }]);
    expect(doc.items).toEqual([{ request_id: null, result: outcome, reasons }]);
  });

  it.each(['PENDING_REVIEW', 'MATCHED', ''])('refuses to release %j', (outcome) => {
    expect(() => build([{ request_id: 'r-1', outcome, reasons: [] }])).toThrow(
      /cannot be released/,
    );
  });

  it('one unreleasable item stops the whole document', () => {
    expect(() =>
      build([
        { request_id: 'r-1', outcome: 'CONFIRMED', reasons: [] },
        { request_id: 'r-2', outcome: 'PENDING_REVIEW', reasons: [] },
      ]),
    ).toThrow();
  });

  it('carries the notice, the format and the envelope fields', () => {
    const doc = sample();
    expect(doc.notice).toBe(RESULT_NOTICE);
    expect(doc.notice).toMatch(/independently verified before any adverse action/);
    expect(doc.notice).toMatch(/point-in-time/);
    expect(doc).toMatchObject({
      format: RESULT_FORMAT,
      batch_id: 'bat_1',
      agreement_id: 'ice-2026',
      issued_at: '2026-06-15T12:00:00.000Z',
    });
  });
});

describe('signResultDocument / verifyResultJws', () => {
  const keys = async () => {
    const pair = await generateEd25519KeyPair();
    return {
      kid: pair.kid,
      privateKey: await importPrivateJwk(pair.privateJwk, 'result key'),
      publicKey: await importPublicJwk(pair.publicJwk),
    };
  };

  it('round trips: the verified document equals the signed one, with the kid', async () => {
    const k = await keys();
    const doc = sample();
    const jws = await signResultDocument(doc, k.privateKey, k.kid);
    expect(jws.split('.')).toHaveLength(3);
    const verified = await verifyResultJws(jws, k.publicKey);
    expect(verified.document).toEqual(doc);
    expect(verified.kid).toBe(k.kid);
    expect(decodeResultJws(jws)).toEqual(doc);
  });

  it('a tampered payload fails verification', async () => {
    const k = await keys();
    const jws = await signResultDocument(sample(), k.privateKey, k.kid);
    const [header, payload, signature] = jws.split('.');
    const forged = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
    forged.items[1].result = 'CONFIRMED';
    const tampered = [
      header,
      Buffer.from(JSON.stringify(forged)).toString('base64url'),
      signature,
    ].join('.');
    await expect(verifyResultJws(tampered, k.publicKey)).rejects.toThrow();
  });

  it('a tampered signature fails verification', async () => {
    const k = await keys();
    const jws = await signResultDocument(sample(), k.privateKey, k.kid);
    const [header, payload, signature] = jws.split('.');
    const sig = Buffer.from(signature!, 'base64url');
    sig[0] = sig[0]! ^ 0xff;
    await expect(
      verifyResultJws([header, payload, sig.toString('base64url')].join('.'), k.publicKey),
    ).rejects.toThrow();
  });

  it('another key fails verification', async () => {
    const [a, b] = await Promise.all([keys(), keys()]);
    const jws = await signResultDocument(sample(), a.privateKey, a.kid);
    await expect(verifyResultJws(jws, b.publicKey)).rejects.toThrow();
  });
});
