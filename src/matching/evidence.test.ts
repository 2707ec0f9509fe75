import { describe, expect, it } from 'vitest';
import { seededRandom } from '../taxpayers/synthetic.ts';
import { LEVELS, type ComparisonVector, type Field } from './comparison.ts';
import {
  decodeLevels,
  encodeLevels,
  evidenceCandidate,
  explainEvidence,
  isEvidence,
  type Evidence,
} from './evidence.ts';
import { DEFAULT_MODEL } from './model.ts';
import { score } from './scoring.ts';

const FIELDS = Object.keys(LEVELS) as Field[];

function randomVector(rnd: () => number): ComparisonVector {
  const v: Record<string, unknown> = { swapped: rnd() < 0.2 };
  for (const f of FIELDS) {
    const levels = LEVELS[f] as readonly string[];
    v[f] = levels[Math.floor(rnd() * levels.length)];
  }
  return v as unknown as ComparisonVector;
}

describe('compact evidence', () => {
  it('encodes every comparison vector as one digit per field and decodes it back', () => {
    const rnd = seededRandom(7);
    for (let i = 0; i < 500; i++) {
      const v = randomVector(rnd);
      const code = encodeLevels(v);
      expect(code).toMatch(/^\d{8}$/);
      expect(decodeLevels(code, v.swapped)).toEqual(v);
    }
  });

  it('rebuilds the very waterfall the engine scored, term frequencies included', () => {
    const rnd = seededRandom(11);
    const scored = Array.from({ length: 3 }, (_, i) => {
      const vector = randomVector(rnd);
      const tf = i === 0 ? { surname: 0.0123, given: 0.0456 } : {};
      return { tin: `90000000${i}`, vector, tf, score: score(vector, DEFAULT_MODEL, tf) };
    });
    const evidence: Evidence = {
      v: 2,
      o: 'PENDING_REVIEW',
      r: ['MATCH_AMBIGUOUS'],
      c: scored.map((s) => evidenceCandidate(s.tin, s.vector, s.tf, s.score.weight)),
    };
    // Stored as JSON and read back, as the database does.
    const stored = JSON.parse(JSON.stringify(evidence)) as unknown;
    expect(isEvidence(stored)).toBe(true);
    const w = explainEvidence(stored as Evidence, DEFAULT_MODEL);
    expect(w.outcome).toBe('PENDING_REVIEW');
    expect(w.reasons).toEqual(['MATCH_AMBIGUOUS']);
    expect(w.candidates).toEqual(
      scored.map((s, i) => ({
        rank: i + 1,
        tin: s.tin,
        probability: s.score.probability,
        weight: s.score.weight,
        swapped: s.vector.swapped,
        parts: s.score.parts,
      })),
    );
  });

  it('refuses to rebuild under another model or from changed levels', () => {
    const vector = randomVector(seededRandom(3));
    const weight = score(vector, DEFAULT_MODEL).weight;
    const evidence: Evidence = {
      v: 2,
      o: 'CONFIRMED',
      r: [],
      c: [evidenceCandidate('900000001', vector, {}, weight)],
    };
    const other = { ...DEFAULT_MODEL, version: 'other', lambda: 0.2 };
    expect(() => explainEvidence(evidence, other)).toThrow(/does not rebuild under model other/);
    const changed = encodeLevels(vector).replace(/^./, (d) => (d === '0' ? '1' : '0'));
    const tampered: Evidence = { ...evidence, c: [['900000001', changed, 0, null, null, weight]] };
    expect(() => explainEvidence(tampered, DEFAULT_MODEL)).toThrow(/does not rebuild/);
  });

  it('rejects level codes no version of the levels produced', () => {
    expect(() => decodeLevels('0000000', false)).toThrow(/wrong length/);
    expect(() => decodeLevels('09000000', false)).toThrow(/no given level 9/);
  });

  it('tells evidence from the full waterfalls stored before it', () => {
    expect(isEvidence({ model_version: 'fs-default-3', candidates: [] })).toBe(false);
    expect(isEvidence(null)).toBe(false);
    expect(isEvidence({ v: 2, o: 'CONFIRMED', r: [], c: [] })).toBe(true);
  });
});
