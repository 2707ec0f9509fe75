import { describe, expect, it } from 'vitest';
import { columnMismatch, decodeLeaf, encodeLeaf, type LeafFields } from './leaf.ts';

const FIELDS: LeafFields = {
  type: 'batch.released',
  actor: 'operator:ana',
  batch_id: 'bat_1',
  occurred_at: '2026-01-02T03:04:05.678Z',
  payload: { items: 2, result_key: 'k1' },
  index: 41,
};
const TEXT =
  '{"actor":"operator:ana","batch_id":"bat_1","index":41,"occurred_at":"2026-01-02T03:04:05.678Z",' +
  '"payload":{"items":2,"result_key":"k1"},"type":"batch.released"}';
const bytes = (s: string) => new TextEncoder().encode(s);

describe('encodeLeaf', () => {
  it('writes the six fields as RFC 8785 canonical JSON', () => {
    expect(new TextDecoder().decode(encodeLeaf(FIELDS))).toBe(TEXT);
    expect(new TextDecoder().decode(encodeLeaf({ ...FIELDS, batch_id: null, payload: {} }))).toBe(
      '{"actor":"operator:ana","batch_id":null,"index":41,"occurred_at":"2026-01-02T03:04:05.678Z","payload":{},"type":"batch.released"}',
    );
  });

  it('refuses what it could not read back', () => {
    const bad: Partial<Record<keyof LeafFields, unknown>>[] = [
      { type: '' },
      { actor: 7 },
      { batch_id: 1 },
      { occurred_at: '2026-01-02T03:04:05Z' },
      { occurred_at: '2026-01-02T03:04:05.678+01:00' },
      { payload: [] },
      { payload: null },
      { index: -1 },
      { index: 1.5 },
    ];
    for (const over of bad) {
      expect(() => encodeLeaf({ ...FIELDS, ...over } as LeafFields)).toThrow(TypeError);
    }
    expect(() => encodeLeaf({ ...FIELDS, payload: { at: new Date() as never } })).toThrow(
      /only plain objects are JSON/,
    );
  });
});

describe('decodeLeaf', () => {
  it('reads back what encodeLeaf wrote', () => {
    expect(decodeLeaf(encodeLeaf(FIELDS))).toEqual({ ok: true, fields: FIELDS });
  });

  it('says what is wrong with bytes that are not exactly a leaf, never throwing', () => {
    const cases: [Uint8Array, string][] = [
      [Uint8Array.of(0xff, 0x7b), 'leaf is not valid UTF-8'],
      [bytes('{"actor":'), 'leaf is not JSON'],
      [bytes(TEXT.replace('{', '{ ')), 'leaf is not canonical JSON (RFC 8785)'],
      [bytes(TEXT.replace('"items":2', '"items":2.0')), 'leaf is not canonical JSON (RFC 8785)'],
      [bytes(TEXT.replace('"actor":"operator:ana",', '')), 'leaf has fields'],
      [
        bytes(TEXT.replace('{"actor"', '{"actor":"x","actor"')),
        'leaf is not canonical JSON (RFC 8785)',
      ],
      [bytes('[1]'), 'leaf is not a JSON object'],
      [bytes('"\\ud800"'), 'leaf is not I-JSON'],
      [bytes(TEXT.replace('"index":41', '"index":-41')), 'leaf index is not a non-negative'],
    ];
    for (const [leaf, problem] of cases) {
      const decoded = decodeLeaf(leaf);
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) expect(decoded.problem).toContain(problem);
    }
    const extra = bytes(TEXT.slice(0, -1) + ',"zz":1}');
    expect(decodeLeaf(extra)).toEqual({
      ok: false,
      problem:
        'leaf has fields actor, batch_id, index, occurred_at, payload, type, zz; a leaf has exactly actor, batch_id, index, occurred_at, payload, type',
    });
  });
});

describe('columnMismatch', () => {
  const row = { ...FIELDS, payload: { result_key: 'k1', items: 2 } };
  it('accepts a row that says what its leaf says, in any member order', () => {
    expect(columnMismatch(FIELDS, row)).toBeNull();
  });
  it('names the first column that differs', () => {
    expect(columnMismatch(FIELDS, { ...row, type: 'batch.approved' })).toBe(
      'type column does not match the leaf',
    );
    expect(columnMismatch(FIELDS, { ...row, batch_id: null })).toBe(
      'batch_id column does not match the leaf',
    );
    expect(columnMismatch(FIELDS, { ...row, occurred_at: '2026-01-02T03:04:05.679Z' })).toBe(
      'occurred_at column does not match the leaf',
    );
    expect(columnMismatch(FIELDS, { ...row, payload: { items: 3, result_key: 'k1' } })).toBe(
      'payload column does not match the leaf',
    );
  });
});
