import { describe, expect, it } from 'vitest';
import { seededRandom } from '../taxpayers/synthetic.ts';
import { LEVELS, type ComparisonVector, type Field } from './comparison.ts';
import { DEFAULT_MODEL } from './model.ts';
import {
  estimateByEmPerRequest,
  estimateMFromLabels,
  estimateU,
  constrainEstimated,
  DISAGREEMENTS,
  keepAgreementOrder,
  score,
  WEAKER_THAN_EXACT,
  type FieldProbabilities,
  type ModelParameters,
} from './scoring.ts';

const FIELDS = Object.keys(LEVELS) as Field[];
const agree: ComparisonVector = {
  surname: 'exact',
  given: 'exact',
  house: 'exact',
  street: 'exact',
  unit: 'both_empty',
  locality: 'zip_exact',
  dob: 'missing',
  suffix: 'missing',
  swapped: false,
};
const disagree: ComparisonVector = {
  surname: 'different',
  given: 'different',
  house: 'different',
  street: 'different',
  unit: 'both_empty',
  locality: 'zip_exact',
  dob: 'missing',
  suffix: 'missing',
  swapped: false,
};

/** Draws one level per field from the given distribution. */
function draw(dist: FieldProbabilities, rnd: () => number): ComparisonVector {
  const v: Record<string, unknown> = { swapped: false };
  for (const f of FIELDS) {
    let x = rnd();
    const probs = dist[f] as Record<string, number>;
    let chosen = LEVELS[f][LEVELS[f].length - 1] as string;
    for (const level of LEVELS[f]) {
      x -= probs[level]!;
      if (x <= 0) {
        chosen = level;
        break;
      }
    }
    v[f] = chosen;
  }
  return v as unknown as ComparisonVector;
}

function uniformish(favoured: 'first' | 'last'): FieldProbabilities {
  const out: Record<string, Record<string, number>> = {};
  for (const f of FIELDS) {
    const levels = LEVELS[f];
    const main = 0.85;
    const rest = (1 - main) / (levels.length - 1);
    out[f] = Object.fromEntries(
      levels.map((l, i) => [
        l,
        (favoured === 'first' ? i === 0 : i === levels.length - 1) ? main : rest,
      ]),
    );
  }
  return out as FieldProbabilities;
}

const trueM = uniformish('first');
const trueU = uniformish('last');
const params: ModelParameters = { version: 't', lambda: 0.1, m: trueM, u: trueU };

describe('score', () => {
  it('gives agreement a high probability and disagreement a low one', () => {
    expect(score(agree, params).probability).toBeGreaterThan(0.99);
    expect(score(disagree, params).probability).toBeLessThan(0.5);
    expect(score(agree, params).parts.map((p) => p.field)).toEqual(FIELDS);
  });

  it('weighs a match on a common surname less than on a rare one', () => {
    const common = score(agree, params, { surname: 0.02 });
    const rare = score(agree, params, { surname: 0.00001 });
    expect(rare.weight).toBeGreaterThan(common.weight);
    expect(rare.weight - common.weight).toBeCloseTo(Math.log2(0.02 / 0.00001), 6);
  });
});

describe('estimation', () => {
  const rnd = seededRandom(42);
  const matches = Array.from({ length: 2000 }, () => draw(trueM, rnd));
  const nonMatches = Array.from({ length: 18000 }, () => draw(trueU, rnd));

  it('estimates u from non-matching pairs and m from labelled matches', () => {
    const u = estimateU(nonMatches);
    const m = estimateMFromLabels(matches);
    expect(u.surname.different).toBeCloseTo(0.85, 1);
    expect(m.surname.exact).toBeCloseTo(0.85, 1);
  });

  it('recovers m and the share of matches by EM from unlabelled pairs with u fixed', () => {
    const start: ModelParameters = {
      version: 'start',
      lambda: 0.3,
      m: uniformish('first'),
      u: estimateU(nonMatches),
    };
    // Start EM away from the truth: the agreements even. The disagreements, which EM
    // keeps as it starts them, at the truth.
    for (const f of FIELDS) {
      const pinned = (DISAGREEMENTS[f] ?? []) as readonly string[];
      const truth = trueM[f] as Record<string, number>;
      const free = LEVELS[f].filter((l) => !pinned.includes(l));
      const left = 1 - pinned.reduce((a, l) => a + truth[l]!, 0);
      (start.m as Record<Field, Record<string, number>>)[f] = Object.fromEntries(
        LEVELS[f].map((l) => [l, pinned.includes(l) ? truth[l]! : left / free.length]),
      );
    }
    // One candidate per request: a tenth of them the person.
    const groups = [...matches, ...nonMatches].map((v) => ({ vectors: [v] }));
    const { parameters, iterations, matchShare } = estimateByEmPerRequest(groups, start, {
      iterations: 200,
    });
    expect(iterations).toBeGreaterThan(1);
    expect(matchShare).toBeCloseTo(0.1, 1);
    expect(parameters.m.given.exact).toBeCloseTo(0.85, 1);
    expect(parameters.m.surname.exact).toBeCloseTo(0.85, 1);
  });
});

describe('estimateByEmPerRequest', () => {
  // Requests whose candidates are mostly the household at the address: the person (in
  // 80 % of requests) and three others of the same surname and address whose given name
  // differs, as blocking returns them.
  const rnd = seededRandom(7);
  const household = (): ComparisonVector => ({
    ...draw(trueM, rnd),
    given: rnd() < 0.9 ? 'different' : 'initial',
    dob: rnd() < 0.5 ? 'missing' : 'different',
  });
  const groups = Array.from({ length: 3000 }, () => {
    const others = [household(), household(), household()];
    return { vectors: rnd() < 0.8 ? [draw(trueM, rnd), ...others] : others };
  });
  // u as training estimates it: pairs of different people that share a blocking key,
  // household members among them.
  const u = estimateU([
    ...Array.from({ length: 6000 }, () => draw(trueU, rnd)),
    ...Array.from({ length: 6000 }, household),
  ]);
  const start: ModelParameters = { version: 'start', lambda: 0.05, m: DEFAULT_MODEL.m, u };

  it('finds the m of one person, not of the household at the address', () => {
    const { parameters, matchShare, iterations } = estimateByEmPerRequest(groups, start);
    expect(iterations).toBeGreaterThan(1);
    expect(parameters.m.given.exact).toBeCloseTo(trueM.given.exact, 1);
    expect(parameters.m.surname.exact).toBeCloseTo(trueM.surname.exact, 1);
    expect(matchShare).toBeGreaterThan(0.75);
    expect(matchShare).toBeLessThan(0.9);
    // The same pairs taken one by one, as EM over pairs did: household members are
    // read as the person, whose given name is then less often exact and more often an
    // initial (0.72 and 0.20, against 0.81 and 0.09 here).
    const pairwise = estimateByEmPerRequest(
      groups.flatMap((g) => g.vectors.map((v) => ({ vectors: [v] }))),
      start,
    ).parameters.m.given;
    expect(pairwise.exact).toBeLessThan(parameters.m.given.exact - 0.05);
    expect(pairwise.initial).toBeGreaterThan(parameters.m.given.initial + 0.05);
    expect(parameters.lambda).toBe(start.lambda);
    expect(parameters.u).toEqual(u);
  });

  it("keeps a reviewer's label: the confirmed candidate is the person, the request's others are not", () => {
    // Two candidates each: one whose given name agrees, one whose given name is misspelt.
    // EM alone cannot tell which is the person; reviewers confirmed the second.
    const pair = () => [draw(trueM, rnd), { ...draw(trueM, rnd), given: 'typo' as const }];
    const unlabelled = Array.from({ length: 1000 }, () => ({ vectors: pair() }));
    expect(estimateByEmPerRequest(unlabelled, start).parameters.m.given.typo).toBeLessThan(0.6);
    const labelled = unlabelled.map((g) => ({ ...g, confirmed: 1 }));
    const { parameters, matchShare } = estimateByEmPerRequest(labelled, start);
    expect(parameters.m.given.typo).toBeGreaterThan(0.95);
    expect(matchShare).toBeCloseTo(1, 5);
    // Disagreements keep the prior's m, labelled or not.
    expect(parameters.m.given.different).toBe(start.m.given.different);
  });
});

describe('keepAgreementOrder', () => {
  const weight = (p: ModelParameters, field: Field, level: string) =>
    score({ ...agree, [field]: level } as ComparisonVector, p).parts.find((x) => x.field === field)!
      .weight;

  it('lowers a weaker level that outweighs exact to exact, taking u from different', () => {
    // The first street prior: typo m/u 2.0 against exact's 1.58.
    const u = structuredClone(DEFAULT_MODEL.u);
    u.street = { exact: 0.6, typo: 0.02, different: 0.38 };
    const before: ModelParameters = { ...DEFAULT_MODEL, u };
    expect(weight(before, 'street', 'typo')).toBeGreaterThan(weight(before, 'street', 'exact'));
    const after = keepAgreementOrder(before);
    expect(weight(after, 'street', 'typo')).toBeCloseTo(weight(after, 'street', 'exact'), 9);
    expect(after.u.street.typo + after.u.street.exact + after.u.street.different).toBeCloseTo(1, 9);
    expect(after.m).toEqual(before.m);
    expect(before.u.street.typo).toBe(0.02);
  });

  it('orders every weaker level of every field it names', () => {
    // EM's m can favour any level: make each weaker one outweigh exact.
    const m = structuredClone(DEFAULT_MODEL.m) as Record<Field, Record<string, number>>;
    for (const [field, levels] of Object.entries(WEAKER_THAN_EXACT) as [Field, string[]][])
      for (const level of levels) m[field]![level] = m[field]!.exact!;
    const after = keepAgreementOrder({ ...DEFAULT_MODEL, m: m as FieldProbabilities });
    for (const [field, levels] of Object.entries(WEAKER_THAN_EXACT) as [Field, string[]][])
      for (const level of levels)
        expect(weight(after, field, level)).toBeLessThanOrEqual(
          weight(after, field, 'exact') + 1e-9,
        );
  });

  it('leaves the default model as it is', () => {
    expect(keepAgreementOrder(DEFAULT_MODEL)).toEqual(DEFAULT_MODEL);
  });
});

describe('constrainEstimated', () => {
  const w = (p: ModelParameters, field: Field, level: string) =>
    Math.log2(
      (p.m[field] as Record<string, number>)[level]! /
        (p.u[field] as Record<string, number>)[level]!,
    );
  // What a trained model looked like (the seventh hunt): u from blocked pairs of stored
  // returns, which all have a date of birth and one household's surname and address.
  const estimated: ModelParameters = structuredClone({ ...DEFAULT_MODEL, version: 'fs-trained' });
  estimated.u.dob = { exact: 0.004, missing: 0.0001, different: 0.9959 };
  estimated.u.surname = { exact: 0.85, part: 0.05, typo: 0.05, different: 0.05 };
  estimated.u.street = { exact: 0.99, typo: 0.0099, different: 0.0001 };
  estimated.m.street = { exact: 0.9, typo: 0.05, different: 0.05 };
  estimated.m.given = { ...estimated.m.given, nickname: 0.5, exact: 0.2 };

  it('keeps the prior u of the surname and the address, which blocked pairs cannot tell', () => {
    const c = constrainEstimated(estimated, DEFAULT_MODEL);
    expect(c.u.surname).toEqual(DEFAULT_MODEL.u.surname);
    expect(c.u.locality).toEqual(DEFAULT_MODEL.u.locality);
    expect(w(estimated, 'dob', 'missing')).toBeGreaterThan(12);
    expect(w(c, 'dob', 'missing')).toBeCloseTo(0, 9);
  });

  it('weighs no disagreement for one person and no weaker agreement over exact', () => {
    const c = constrainEstimated(estimated, DEFAULT_MODEL);
    for (const [field, levels] of Object.entries(DISAGREEMENTS) as [Field, string[]][])
      for (const level of levels) expect(w(c, field, level)).toBeLessThanOrEqual(1e-9);
    for (const [field, levels] of Object.entries(WEAKER_THAN_EXACT) as [Field, string[]][])
      for (const level of levels)
        expect(w(c, field, level)).toBeLessThanOrEqual(w(c, field, 'exact') + 1e-9);
    for (const field of FIELDS) {
      const sum = Object.values(c.u[field] as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 6);
    }
    expect(c.m).toEqual(estimated.m);
  });

  it('never undoes one change with a later one', () => {
    // Two disagreements over u in one field, and a dob field whose `different` must be
    // raised after `missing` was made neutral (the review's cases).
    const p: ModelParameters = structuredClone({ ...DEFAULT_MODEL, version: 'fs-trained' });
    p.m.unit = {
      both_empty: 0.3,
      exact: 0.1,
      request_missing: 0.1,
      record_missing: 0.2,
      different: 0.3,
    };
    p.m.dob = { exact: 0.4, missing: 0.3, different: 0.3 };
    p.u.dob = { exact: 0.7, missing: 0.001, different: 0.299 };
    const c = constrainEstimated(p, {
      ...DEFAULT_MODEL,
      u: { ...DEFAULT_MODEL.u, unit: p.u.unit },
    });
    expect(w(c, 'unit', 'record_missing')).toBeLessThanOrEqual(1e-9);
    expect(w(c, 'unit', 'different')).toBeLessThanOrEqual(1e-9);
    expect(w(c, 'dob', 'missing')).toBeCloseTo(0, 9);
    expect(w(c, 'dob', 'different')).toBeLessThanOrEqual(1e-9);
    // Every other dob level pinned at u = m leaves exact its m too: no weight either way.
    expect(w(c, 'dob', 'exact')).toBeGreaterThanOrEqual(-1e-9);
    for (const field of ['unit', 'dob'] as const) {
      const sum = Object.values(c.u[field] as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 9);
    }
  });
});
