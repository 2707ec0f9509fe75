import { LEVELS, type ComparisonVector, type Field } from './comparison.ts';
import type { Decision } from './decision.ts';
import { score, type ModelParameters, type TermFrequencies } from './scoring.ts';

/**
 * What the engine keeps of one proposed outcome, compactly: for each explained
 * candidate its comparison vector (one digit per field: the level's index in
 * LEVELS), whether names were swapped, the term frequencies used and the match
 * weight. With the model of the recorded version this rebuilds the whole
 * waterfall (every field's weight) exactly; the stored weight lets the rebuild
 * check itself. Kept compact because a batch writes one per item: the full
 * waterfall as JSON cost more than the matching (docs/matching.md#explanations).
 */
export interface Evidence {
  /** Format version of this record. */
  v: 2;
  /** The engine's proposal (review does not change it). */
  o: Decision['outcome'];
  /** The engine's operator-only reasons. */
  r: string[];
  /** Candidates, strongest first: [tin, levels, swapped 0/1, surname tf, given tf, weight]. */
  c: EvidenceCandidate[];
}

export type EvidenceCandidate = [
  tin: string,
  levels: string,
  swapped: 0 | 1,
  surnameTf: number | null,
  givenTf: number | null,
  weight: number,
];

/** The waterfall of the best candidates (docs/matching.md#explanations). */
export interface Explanation {
  model_version: string;
  outcome: Decision['outcome'];
  reasons: string[];
  candidates: {
    rank: number;
    tin: string;
    probability: number;
    weight: number;
    swapped: boolean;
    parts: { field: string; level: string; weight: number }[];
  }[];
}

const FIELDS = Object.keys(LEVELS) as Field[];

/** The comparison vector as one digit per field, in LEVELS order. */
export function encodeLevels(v: ComparisonVector): string {
  let out = '';
  for (const field of FIELDS) {
    const i = (LEVELS[field] as readonly string[]).indexOf(v[field]);
    if (i < 0 || i > 9) throw new Error(`cannot encode ${field} level '${String(v[field])}'`);
    out += String(i);
  }
  return out;
}

/** The inverse of encodeLevels; throws on a code no version of LEVELS produced. */
export function decodeLevels(code: string, swapped: boolean): ComparisonVector {
  if (code.length !== FIELDS.length)
    throw new Error(`evidence levels '${code}' have the wrong length`);
  const v: Record<string, unknown> = { swapped };
  FIELDS.forEach((field, k) => {
    const level = (LEVELS[field] as readonly string[])[Number(code[k])];
    if (level === undefined)
      throw new Error(`evidence levels '${code}': no ${field} level ${code[k]}`);
    v[field] = level;
  });
  return v as unknown as ComparisonVector;
}

/** One explained candidate, as the engine scored it. */
export function evidenceCandidate(
  tin: string,
  vector: ComparisonVector,
  tf: TermFrequencies,
  weight: number,
): EvidenceCandidate {
  return [
    tin,
    encodeLevels(vector),
    vector.swapped ? 1 : 0,
    tf.surname ?? null,
    tf.given ?? null,
    weight,
  ];
}

/**
 * The waterfall rebuilt from evidence with the model it was scored by. Throws
 * when a rebuilt weight differs from the recorded one: the wrong model, or
 * evidence that was changed.
 * @example explainEvidence(row.explanation, await modelByVersion(db, row.model_version))
 */
export function explainEvidence(e: Evidence, model: ModelParameters): Explanation {
  return {
    model_version: model.version,
    outcome: e.o,
    reasons: e.r,
    candidates: e.c.map(([_tin, levels, swapped, surnameTf, givenTf, weight], i) => {
      const s = score(decodeLevels(levels, swapped === 1), model, {
        surname: surnameTf ?? undefined,
        given: givenTf ?? undefined,
      });
      if (Math.abs(s.weight - weight) > 1e-9 * Math.max(1, Math.abs(weight))) {
        throw new Error(
          `evidence of rank ${i + 1} does not rebuild under model ${model.version} (weight ${weight}, rebuilt ${s.weight})`,
        );
      }
      return {
        rank: i + 1,
        tin: _tin,
        probability: s.probability,
        weight: s.weight,
        swapped: swapped === 1,
        parts: s.parts,
      };
    }),
  };
}

/** Whether a stored explanation is compact evidence (rows before it hold the full waterfall). */
export function isEvidence(x: unknown): x is Evidence {
  return typeof x === 'object' && x !== null && (x as { v?: unknown }).v === 2;
}
