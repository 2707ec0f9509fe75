import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { ValidItem } from '../policy/item-rules.ts';
import { compare, type GivenNamesCompatible } from './comparison.ts';
import { decide, DEFAULT_THRESHOLDS, type Decision, type DecisionThresholds } from './decision.ts';
import { findCandidates, nameFrequencies } from './engine.store.ts';
import { blockingKeys, personFeatures } from './features.ts';
import { evidenceCandidate, type Evidence } from './evidence.ts';
import { score, type ModelParameters, type TermFrequencies } from './scoring.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** What the engine proposes for one item, with the evidence kept for explanation. */
export interface EngineProposal {
  position: number;
  outcome: Decision['outcome'];
  reasons: string[];
  /** TINs whose returns were read to decide (the accounting; never released). */
  inspected: string[];
  evidence: Evidence;
}

export interface EngineOptions {
  model: ModelParameters;
  compatible: GivenNamesCompatible;
  thresholds?: DecisionThresholds;
  /** Milliseconds per part (blocking, term frequencies, scoring), added to when given. */
  timings?: Map<string, number>;
}

const EXPLAINED_CANDIDATES = 3;

/**
 * Matches a page of valid items: blocking in one statement, then compare, score
 * and decide per item in memory.
 * @example await matchPage(trx, [{ position: 0, item }], { model, compatible })
 */
export async function matchPage(
  db: Db,
  items: { position: number; item: ValidItem }[],
  opts: EngineOptions,
): Promise<EngineProposal[]> {
  const clock = stopwatch(opts.timings);
  const requests = items.map(({ position, item }) => ({
    position,
    features: personFeatures(item),
  }));
  const probes = requests.map((r) => ({ position: r.position, keys: blockingKeys(r.features) }));
  clock.lap('request features');
  const candidates = await findCandidates(db, probes);
  clock.lap('blocking');
  const byPosition = new Map<number, typeof candidates>();
  for (const c of candidates) {
    const list = byPosition.get(c.position);
    if (list) list.push(c);
    else byPosition.set(c.position, [c]);
  }
  const tf = await nameFrequencies(
    db,
    requests.flatMap((r) => r.features.surnameKeys),
    requests.flatMap((r) => r.features.given.slice(0, 1)),
  );
  clock.lap('term frequencies');
  const proposals = requests.map(({ position, features }): EngineProposal => {
    const scored = (byPosition.get(position) ?? []).map((c) => {
      const vector = compare(features, c.features, opts.compatible);
      const surnameTf =
        vector.surname === 'exact' ? tf.surname.get(c.features.surnames.join(' ')) : undefined;
      const givenTf =
        vector.given === 'exact' ? tf.given.get(c.features.given[0] ?? '') : undefined;
      const termFrequencies: TermFrequencies = { surname: surnameTf, given: givenTf };
      return {
        tin: c.tin,
        vector,
        termFrequencies,
        score: score(vector, opts.model, termFrequencies),
      };
    });
    const decision = decide(scored, opts.thresholds ?? DEFAULT_THRESHOLDS, features);
    // decide returns one of the candidates it was given (typed without their extras).
    const chosen = scored.find((s) => s === decision.best) ?? null;
    const ranked = explainedCandidates(scored, chosen);
    return {
      position,
      outcome: decision.outcome,
      reasons: decision.reasons,
      inspected: scored.map((s) => s.tin),
      evidence: {
        v: 2,
        o: decision.outcome,
        r: decision.reasons,
        c: ranked.map((s) => evidenceCandidate(s.tin, s.vector, s.termFrequencies, s.score.weight)),
      },
    };
  });
  clock.lap('score + decide');
  return proposals;
}

/**
 * The candidates an outcome's evidence keeps: the one the decision chose first (the
 * accounting books the disclosure to it, and an explanation shows it as rank 1), then
 * the rest strongest first. The chosen one need not be the strongest: narrowing between
 * namesakes can keep a son JEAN CLAUDE over a father JEAN who weighs as much.
 * @example explainedCandidates(scored, decision.best)[0] === decision.best
 */
export function explainedCandidates<C extends { score: { weight: number } }>(
  scored: readonly C[],
  chosen: C | null,
): C[] {
  const byWeight = [...scored].sort((a, b) => b.score.weight - a.score.weight);
  const ordered = chosen ? [chosen, ...byWeight.filter((c) => c !== chosen)] : byWeight;
  return ordered.slice(0, EXPLAINED_CANDIDATES);
}

/** Adds the time since the last lap to a part, when there are timings to keep. */
function stopwatch(timings: Map<string, number> | undefined) {
  let last = performance.now();
  return {
    lap(part: string) {
      if (!timings) return;
      const now = performance.now();
      timings.set(part, (timings.get(part) ?? 0) + now - last);
      last = now;
    },
  };
}
