import { describe, expect, it } from 'vitest';
import type { ComparisonVector } from './comparison.ts';
import { decide, type ScoredCandidate } from './decision.ts';

const full: ComparisonVector = {
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

function candidate(
  tin: string,
  over: Partial<ComparisonVector> = {},
  probability = 0.99999,
): ScoredCandidate {
  const weight = Math.log2(probability / (1 - probability));
  return { tin, vector: { ...full, ...over }, score: { weight, probability, parts: [] } };
}

describe('decide', () => {
  it('confirms one taxpayer agreeing on name and full address', () => {
    expect(decide([candidate('A'), candidate('B', { given: 'different' }, 0.2)])).toMatchObject({
      outcome: 'CONFIRMED',
      best: { tin: 'A' },
    });
  });

  it('never confirms with nothing plausible', () => {
    expect(decide([])).toMatchObject({ outcome: 'NOT_CONFIRMED', reasons: ['MATCH_NONE'] });
    expect(decide([candidate('A', {}, 0.1)])).toMatchObject({
      outcome: 'NOT_CONFIRMED',
      reasons: ['MATCH_NONE'],
    });
  });

  it.each([
    ['a conflicting unit', { unit: 'different' }, 'UNIT_CONFLICT'],
    ['a unit on the request the record lacks', { unit: 'record_missing' }, 'UNIT_CONFLICT'],
    ['an old or other address', { house: 'different' }, 'ADDRESS_DIFFERS'],
    ['another ZIP', { locality: 'zip_different' }, 'ADDRESS_DIFFERS'],
    ['Jr against Sr', { suffix: 'conflict' }, 'SUFFIX_CONFLICT'],
    ['a conflicting date of birth', { dob: 'different' }, 'DOB_CONFLICT'],
  ] as const)('never confirms %s', (_what, over, reason) => {
    expect(decide([candidate('A', over)])).toMatchObject({
      outcome: 'NOT_CONFIRMED',
      reasons: [reason],
    });
  });

  it('never confirms two plausible people at one address (junior and senior)', () => {
    expect(decide([candidate('SR'), candidate('JR', {}, 0.9999)])).toMatchObject({
      outcome: 'NOT_CONFIRMED',
      reasons: ['MATCH_AMBIGUOUS'],
    });
  });

  it('lets a date of birth narrow two candidates to one', () => {
    const d = decide([
      candidate('SR', { dob: 'different' }),
      candidate('JR', { dob: 'exact' }, 0.9999),
    ]);
    expect(d).toMatchObject({ outcome: 'CONFIRMED', best: { tin: 'JR' } });
  });

  it('reviews a street typo, a missing unit and a weak score instead of confirming', () => {
    expect(decide([candidate('A', { street: 'typo' })]).outcome).toBe('PENDING_REVIEW');
    expect(decide([candidate('A', { unit: 'request_missing' })]).outcome).toBe('PENDING_REVIEW');
    expect(decide([candidate('A', {}, 0.8)])).toMatchObject({
      outcome: 'PENDING_REVIEW',
      reasons: ['MATCH_WEAK'],
    });
    expect(decide([candidate('A', { given: 'initial' }, 0.8)])).toMatchObject({
      outcome: 'NOT_CONFIRMED',
      reasons: ['MATCH_WEAK'],
    });
  });

  it('accepts a nickname, one surname of two, or one typo, but not two typos', () => {
    expect(decide([candidate('A', { given: 'nickname', surname: 'part' })]).outcome).toBe(
      'CONFIRMED',
    );
    expect(decide([candidate('A', { given: 'typo' })]).outcome).toBe('CONFIRMED');
    expect(decide([candidate('A', { given: 'typo', surname: 'typo' })]).outcome).toBe(
      'PENDING_REVIEW',
    );
  });

  it('reviews a second given name alone, however strong the score', () => {
    expect(decide([candidate('A', { given: 'other_given' }, 0.9999)])).toMatchObject({
      outcome: 'PENDING_REVIEW',
      reasons: ['NAME_UNCERTAIN'],
    });
  });

  it('reviews second given names that differ, however strong the score', () => {
    expect(decide([candidate('A', { middle: 'different' }, 0.9999)])).toMatchObject({
      outcome: 'PENDING_REVIEW',
      reasons: ['NAME_UNCERTAIN'],
    });
    expect(decide([candidate('A', { middle: 'same' })]).outcome).toBe('CONFIRMED');
  });

  it.each<[string, Partial<ComparisonVector>]>([
    ['a suffix on one side only', { suffixOneSide: true }],
    ['a nickname both sexes bear', { given: 'nickname', givenEitherSex: true }],
    ['two names each borne in its own right', { given: 'nickname', givenTwoNames: true }],
    ['a compound first name against its first part alone', { compoundCut: true }],
  ])('confirms %s only when the date of birth agrees', (_what, names) => {
    expect(decide([candidate('A', names)])).toMatchObject({
      outcome: 'PENDING_REVIEW',
      reasons: ['NAME_UNCERTAIN'],
    });
    expect(decide([candidate('A', { ...names, dob: 'exact' })])).toMatchObject({
      outcome: 'CONFIRMED',
    });
  });

  it('narrows to the namesake who bears the whole compound first name', () => {
    // JEAN-CLAUDE asked: a son JEAN CLAUDE and a father JEAN at the address.
    const req = { suffix: null, given: ['JEAN', 'CLAUDE'] };
    const son = candidate('SON', { middle: 'same' }, 0.99);
    const father = candidate('FATHER', { middle: 'missing', compoundCut: true }, 0.999);
    expect(decide([son, father], undefined, req)).toMatchObject({
      outcome: 'CONFIRMED',
      best: { tin: 'SON' },
    });
    // JEAN asked: the father JEAN and a son JEAN-CLAUDE.
    const jean = { suffix: null, given: ['JEAN'] };
    const father2 = candidate('FATHER', { middle: 'missing' }, 0.99);
    const son2 = candidate('SON', { middle: 'missing', compoundCut: true }, 0.999);
    expect(decide([son2, father2], undefined, jean)).toMatchObject({
      outcome: 'CONFIRMED',
      best: { tin: 'FATHER' },
    });
  });

  it('reviews an address in care of someone else, a weak name refused as without it', () => {
    expect(decide([candidate('A', { careOf: true })])).toMatchObject({
      outcome: 'PENDING_REVIEW',
      reasons: ['ADDRESS_CARE_OF'],
    });
    expect(decide([candidate('A', { careOf: true, given: 'initial' }, 0.7)])).toMatchObject({
      outcome: 'NOT_CONFIRMED',
      reasons: ['MATCH_WEAK'],
    });
  });

  it('refuses when a step drops a namesake under the threshold whose date of birth agrees', () => {
    // JOHN asked with a date of birth: the father JOHN (no dob on record) and a son
    // WILLIAM JOHN born that day, who weighs little; the first name drops the son.
    const father = candidate('FATHER', { dob: 'missing' });
    const son = candidate('SON', { given: 'other_given', dob: 'exact' }, 0.4);
    expect(decide([father, son], undefined, { suffix: null, given: ['JOHN'] })).toMatchObject({
      outcome: 'NOT_CONFIRMED',
      reasons: ['MATCH_AMBIGUOUS'],
    });
  });

  it('counts a rival under the plausible threshold that the rival rule names', () => {
    // J SMITH in the rear unit: an initial and a unit the request lacks weigh little.
    const rear = candidate('REAR', { given: 'initial', unit: 'request_missing' }, 0.26);
    expect(decide([candidate('A'), rear])).toMatchObject({
      outcome: 'NOT_CONFIRMED',
      reasons: ['MATCH_AMBIGUOUS'],
      rivals: [{ tin: 'REAR' }],
    });
    // ... unless the narrowing drops it, as it would a plausible one.
    const dob = candidate('A', { dob: 'exact' });
    expect(decide([dob, { ...rear, vector: { ...rear.vector, dob: 'different' } }])).toMatchObject({
      outcome: 'CONFIRMED',
    });
    // A street lacking its suffix (12 MAIN for 12 MAIN ST).
    const partial = candidate('JR', { street: 'different', streetPartial: true }, 0.45);
    expect(decide([candidate('A'), partial])).toMatchObject({ reasons: ['MATCH_AMBIGUOUS'] });
    // One at another house is no rival, whatever its name.
    const elsewhere = candidate('B', { house: 'different' }, 0.3);
    expect(decide([candidate('A'), elsewhere])).toMatchObject({ outcome: 'CONFIRMED' });
  });

  it('counts a namesake under the plausible threshold as a namesake', () => {
    // JOHN SMITH JR born 1950: the senior born 1950, and a son born 1980 in Apt B.
    const senior = candidate('SENIOR', { dob: 'exact', suffixOneSide: true });
    const son = candidate('SON', { dob: 'different', unit: 'request_missing' }, 0.41);
    expect(decide([senior, son], undefined, { suffix: 'JR' })).toMatchObject({
      outcome: 'NOT_CONFIRMED',
      reasons: ['SUFFIX_CONFLICT'],
    });
  });

  it('narrows namesakes only by what one at the address shows', () => {
    // Two namesakes here; the exact given name only in another ZIP.
    const d = decide([
      candidate('HERE1', { given: 'nickname' }),
      candidate('HERE2', { given: 'other_given' }, 0.9999),
      candidate('ELSEWHERE', { locality: 'zip_different' }, 0.99),
    ]);
    expect(d).toMatchObject({ outcome: 'NOT_CONFIRMED', reasons: ['MATCH_AMBIGUOUS'] });
  });

  it('narrows by the first given name only with the second the request states', () => {
    const father = candidate('FATHER', { given: 'exact', middle: 'missing' });
    const son = candidate('SON', { given: 'other_given' }, 0.9999);
    const req = { suffix: null, given: ['JOHN', 'WILLIAM'] };
    expect(decide([father, son], undefined, req)).toMatchObject({
      outcome: 'NOT_CONFIRMED',
      reasons: ['MATCH_AMBIGUOUS'],
    });
    // Without a second given name in the request, the first one decides.
    expect(decide([father, son], undefined, { suffix: null, given: ['JOHN'] })).toMatchObject({
      outcome: 'CONFIRMED',
      best: { tin: 'FATHER' },
    });
    // A namesake that agrees on the second given name too decides.
    const both = candidate('FATHER', { given: 'exact', middle: 'same' });
    expect(decide([both, son], undefined, req)).toMatchObject({
      outcome: 'CONFIRMED',
      best: { tin: 'FATHER' },
    });
  });

  it('refuses names that point at one namesake and a date of birth at another', () => {
    const d = decide(
      [
        candidate('JR', { suffix: 'same' }),
        candidate('SR', { suffix: 'missing', dob: 'exact' }, 0.9999),
      ],
      undefined,
      { suffix: 'JR' },
    );
    expect(d).toMatchObject({ outcome: 'NOT_CONFIRMED', reasons: ['SUFFIX_CONFLICT'] });
    const middle = decide([
      candidate('ANDREW', { middle: 'same' }),
      candidate('ROBERT', { middle: 'different', dob: 'exact' }, 0.9999),
    ]);
    expect(middle).toMatchObject({ outcome: 'NOT_CONFIRMED', reasons: ['MATCH_AMBIGUOUS'] });
  });

  it('refuses a Jr/Sr on the request that points at another namesake than the dob', () => {
    const d = decide(
      [
        candidate('SR', { dob: 'exact', suffix: 'missing' }),
        candidate('JR', { dob: 'different', suffix: 'same' }),
      ],
      undefined,
      { suffix: 'JR' },
    );
    expect(d).toMatchObject({ outcome: 'NOT_CONFIRMED', reasons: ['SUFFIX_CONFLICT'] });
    const plain = decide(
      [candidate('SR', { dob: 'exact' }), candidate('JR', { dob: 'different' })],
      undefined,
      { suffix: null },
    );
    expect(plain).toMatchObject({ outcome: 'CONFIRMED', best: { tin: 'SR' } });
  });
});
