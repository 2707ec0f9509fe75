import { describe, expect, it } from 'vitest';
import { compare } from './comparison.ts';
import { decide } from './decision.ts';
import { explainedCandidates } from './engine.ts';
import { personFeatures, type PersonRecord } from './features.ts';
import { givenNamesCompatible } from './given-names.ts';
import { DEFAULT_MODEL } from './model.ts';
import { score } from './scoring.ts';

const at = { last_name: 'Pierre', street: '12 Main St', city: 'Reno', state: 'NV', zip: '89501' };
const person = (first_name: string): PersonRecord => ({ ...at, first_name });

describe('explainedCandidates', () => {
  const weighted = (tin: string, weight: number) => ({ tin, score: { weight } });

  it('puts the chosen candidate first, then the rest strongest first, three at most', () => {
    const [a, b, c, d] = [weighted('A', 9), weighted('B', 7), weighted('C', 5), weighted('D', 3)];
    expect(explainedCandidates([d, b, a, c], c).map((x) => x.tin)).toEqual(['C', 'A', 'B']);
    expect(explainedCandidates([d, b, a, c], null).map((x) => x.tin)).toEqual(['A', 'B', 'C']);
  });

  it('books a son chosen over a stronger father to the son (Jean-Claude beside Jean)', () => {
    const request = personFeatures(person('Jean-Claude'));
    const scored = [
      { tin: 'FATHER', f: personFeatures(person('Jean')) },
      { tin: 'SON', f: personFeatures(person('Jean Claude')) },
    ].map(({ tin, f }) => {
      const vector = compare(request, f, givenNamesCompatible);
      return { tin, vector, score: score(vector, DEFAULT_MODEL) };
    });
    const decision = decide(scored, undefined, request);
    expect(decision).toMatchObject({ outcome: 'CONFIRMED', best: { tin: 'SON' } });
    // By weight alone the father leads (the two weigh the same; he comes first).
    expect(explainedCandidates(scored, null)[0]!.tin).toBe('FATHER');
    // The evidence leads with the one confirmed.
    expect(
      explainedCandidates(
        scored,
        scored.find((s) => s === decision.best)!,
      )[0]!.tin,
    ).toBe('SON');
  });
});
