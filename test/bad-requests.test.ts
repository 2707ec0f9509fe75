import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  BatchItemJudge,
  validateItem,
  type ItemRuleContext,
  type ItemVerdict,
} from '../src/policy/item-rules.ts';
import { REASON_CODES, type ReasonCode } from '../src/policy/reason-codes.ts';
import { buildAgreement, buildItem, today } from './support/builders.ts';

/**
 * The bad-request corpus of issue 4: every fixture is a lawful base item with an
 * override that breaks one or more rules, and the result and reason codes it must get.
 * Dates are offsets from the judging day, so the corpus never goes stale.
 */
interface Fixture {
  id: string;
  description: string;
  override: Record<string, unknown>;
  /** Replaces the whole item (for items that are not objects at all). */
  raw?: unknown;
  expected_result: 'REJECTED_INCOMPLETE' | 'REJECTED_INELIGIBLE' | 'REJECTED_DUPLICATE';
  expected_reasons_include: ReasonCode[];
  /** The rules currently accept this fixture; asserted as accepted until fixed. */
  known_gap?: string;
}

interface Corpus {
  base: Record<string, unknown>;
  fixtures: Fixture[];
}

const corpus = JSON.parse(
  readFileSync(new URL('./fixtures/bad-requests/corpus.json', import.meta.url), 'utf8'),
) as Corpus;

/** The judging day: today, as the offsets in the corpus are relative to it. */
const TODAY = today();
const ctx: ItemRuleContext = { agreement: buildAgreement(), today: TODAY };
const DROP = Symbol('drop');

/** Resolves the corpus's special values ($daysAgo, $undefined, …) to real ones. */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve).filter((v) => v !== DROP);
  if (!value || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if (o.$undefined === true) return DROP;
  if (typeof o.$daysAgo === 'number') return addDays(TODAY, -o.$daysAgo);
  if (typeof o.$daysAhead === 'number') return addDays(TODAY, o.$daysAhead);
  if (typeof o.$yearsAhead === 'number') return Number(TODAY.slice(0, 4)) + o.$yearsAhead;
  if (Array.isArray(o.$repeat)) {
    const [s, n] = o.$repeat as [string, number];
    return s.repeat(n);
  }
  if (Array.isArray(o.$fill)) {
    const [v, n] = o.$fill as [unknown, number];
    return Array.from({ length: n }, () => resolve(v));
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const r = resolve(v);
    out[k] = r === DROP ? undefined : r;
  }
  return out;
}

const base = resolve(corpus.base) as Record<string, unknown>;

/** The item a fixture describes, with a request id unique to it unless it sets one. */
function buildFixture(f: Fixture): unknown {
  if ('raw' in f) return f.raw;
  return buildItem({
    ...base,
    request_id: `fx-${f.id}`,
    ...(resolve(f.override) as Record<string, unknown>),
  });
}

function expectVerdict(f: Fixture, v: ItemVerdict): void {
  if (f.known_gap) {
    // Known gap: the rules accept this today. When this fails, the gap is fixed:
    // remove "known_gap" from the fixture so it is asserted as refused.
    expect(v.valid, `${f.id} is a known gap (${f.known_gap})`).toBe(true);
    return;
  }
  expect(v.valid, `${f.id} should be refused: ${f.description}`).toBe(false);
  if (v.valid) return;
  expect(v.result).toBe(f.expected_result);
  expect(v.reasons).toEqual(expect.arrayContaining(f.expected_reasons_include));
}

const fixtures = corpus.fixtures;
const bad = fixtures.filter((f) => !f.known_gap);
/** Codes only a batch can produce: covered by the batch tests below. */
const BATCH_ONLY: ReasonCode[] = [
  'REQUEST_ID_DUPLICATE',
  'DUPLICATE_SUBJECT',
  // Across batches: test/agreement-v2.int.test.ts.
  'DUPLICATE_SUBJECT_IN_WINDOW',
];

describe('bad-request corpus: the corpus itself', () => {
  it('the base item is lawful', () => {
    expect(validateItem(buildItem({ ...base, request_id: 'base' }), ctx).valid).toBe(true);
  });

  it('has at least 200 bad requests with unique ids and known codes', () => {
    expect(bad.length).toBeGreaterThanOrEqual(200);
    expect(new Set(fixtures.map((f) => f.id)).size).toBe(fixtures.length);
    for (const f of fixtures) {
      expect(f.expected_reasons_include.length, f.id).toBeGreaterThan(0);
      for (const code of f.expected_reasons_include) expect(REASON_CODES).toHaveProperty(code);
    }
  });

  it('covers every item reason code at least three times', () => {
    const counts = new Map<string, number>();
    for (const f of bad) {
      for (const c of f.expected_reasons_include) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    const codes = (Object.keys(REASON_CODES) as ReasonCode[]).filter(
      (c) => !BATCH_ONLY.includes(c),
    );
    const thin = codes.filter((c) => (counts.get(c) ?? 0) < 3);
    expect(thin).toEqual([]);
  });
});

describe('bad-request corpus: each item on its own', () => {
  it.each(fixtures.map((f) => [f.id, f] as const))('%s', (_id, f) => {
    expectVerdict(f, validateItem(buildFixture(f), ctx));
  });
});

/** Two lawful items that are distinct subjects. */
function lawfulPair(n: number): Record<string, unknown>[] {
  return [
    buildItem({ ...base, request_id: `lawful-${n}-a`, first_name: 'Ana', last_name: 'Lopez' }),
    buildItem({
      ...base,
      request_id: `lawful-${n}-b`,
      first_name: 'José',
      last_name: 'Zúñiga-Pérez',
      street: '45 Oak Ave',
      unit: 'Apt 2',
    }),
  ];
}

const BATCH_SIZE = 20;
const batches: Fixture[][] = [];
// Known gaps are accepted items, not bad ones: they stay out of the batches.
for (let i = 0; i < bad.length; i += BATCH_SIZE) {
  batches.push(bad.slice(i, i + BATCH_SIZE));
}

describe('bad-request corpus: in batches with lawful items', () => {
  it.each(batches.map((b, i) => [i + 1, b] as const))(
    'batch %i: the bad are refused, the lawful stay valid',
    (n, batch) => {
      const [first, second] = lawfulPair(n);
      const judge = new BatchItemJudge(ctx);
      const half = Math.floor(batch.length / 2);
      // A lawful item first, another in the middle: a bad neighbour must not spoil it.
      expect(judge.judge(first).valid).toBe(true);
      for (const f of batch.slice(0, half)) expectVerdict(f, judge.judge(buildFixture(f)));
      expect(judge.judge(second).valid).toBe(true);
      for (const f of batch.slice(half)) expectVerdict(f, judge.judge(buildFixture(f)));
    },
  );

  it('REQUEST_ID_DUPLICATE: a repeated request id is refused, the first stays valid', () => {
    const judge = new BatchItemJudge(ctx);
    const [a, b] = lawfulPair(0);
    expect(judge.judge({ ...a, request_id: 'dup-1' }).valid).toBe(true);
    expect(judge.judge(b).valid).toBe(true);
    for (const again of [
      { ...b, request_id: 'dup-1', first_name: 'Lucia' },
      { ...b, request_id: ' dup-1 ', first_name: 'Rosa' },
    ]) {
      const v = judge.judge(again);
      expect(v).toMatchObject({ valid: false, result: 'REJECTED_INCOMPLETE' });
      if (!v.valid) expect(v.reasons).toContain('REQUEST_ID_DUPLICATE');
    }
    // A bad item that also repeats an id gets both reasons.
    const v = judge.judge({ ...b, request_id: 'dup-1', street: 'Failed to Provide' });
    expect(v.valid).toBe(false);
    if (!v.valid) {
      expect(v.reasons).toEqual(
        expect.arrayContaining(['ADDRESS_PLACEHOLDER', 'REQUEST_ID_DUPLICATE']),
      );
    }
  });

  it.each([
    ['the same item again', {}],
    ['the name in other case', { first_name: 'ANA', last_name: 'lopez' }],
    ['the street padded', { street: '  123 Main St ' }],
  ])('DUPLICATE_SUBJECT: %s', (_label, over) => {
    const judge = new BatchItemJudge(ctx);
    const [a, b] = lawfulPair(0);
    expect(judge.judge(a).valid).toBe(true);
    expect(judge.judge(b).valid).toBe(true);
    expect(judge.judge({ ...a, request_id: 'other-id', ...over })).toEqual({
      valid: false,
      result: 'REJECTED_DUPLICATE',
      reasons: ['DUPLICATE_SUBJECT'],
    });
  });
});
