import { sql, type Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import {
  compare,
  COMPARISON_VERSION,
  type ComparisonVector,
  type GivenNamesCompatible,
  type PersonFeatures,
} from './comparison.ts';
import { activeModel, findCandidates, refreshNameFrequencies, saveModel } from './engine.store.ts';
import { blockingKeys, personFeatures, type PersonRecord } from './features.ts';
import { estimateByEm, estimateU, type ModelParameters } from './scoring.ts';
import { DEFAULT_MODEL } from './model.ts';

export interface TrainingReport {
  version: string;
  name_frequencies: { surnames: number; givens: number };
  u_pairs: number;
  em_pairs: number;
  em_iterations: number;
  lambda: number;
}

/**
 * Re-estimates the model from the store and recent requests, and stores it as
 * a new version (`taxgate model train`):
 * - name frequencies for the term-frequency adjustment;
 * - u from pairs of different taxpayers that share a blocking key (exactly the
 *   non-matches blocking produces);
 * - m and λ by EM over the candidate pairs of the most recent requests, with u
 *   fixed, when there are enough of them; otherwise m keeps its prior.
 */
export async function trainModel(
  db: Kysely<Database>,
  compatible: GivenNamesCompatible,
  opts: { maxPairs?: number; recentItems?: number; now?: Date; actor?: string } = {},
): Promise<TrainingReport> {
  const maxPairs = opts.maxPairs ?? 200_000;
  const frequencies = await refreshNameFrequencies(db);

  const blocked = await sql<{ a: PersonFeatures; b: PersonFeatures }>`
    with pairs as (
      select k1.tin as t1, k2.tin as t2
        from taxpayer_blocking_keys k1
        join taxpayer_blocking_keys k2 on k2.key = k1.key and k2.tin > k1.tin
       limit ${maxPairs})
    select distinct on (t1, t2) f1.features as a, f2.features as b
      from pairs join taxpayer_features f1 on f1.tin = t1 join taxpayer_features f2 on f2.tin = t2`.execute(
    db,
  );
  const uVectors = blocked.rows.map((r) => compare(r.a, r.b, compatible));
  const prior = await activeModel(db);
  const u = uVectors.length >= 1000 ? estimateU(uVectors) : prior.u;

  // Candidate pairs of recent requests (unlabelled), for EM.
  const recent = await sql<{ item: string }>`
    select i.item from batch_items i
      join item_outcomes o on o.batch_id = i.batch_id and o.position = i.position
     where o.model_version is not null
     order by o.decided_at desc limit ${opts.recentItems ?? 20_000}`.execute(db);
  const emVectors: ComparisonVector[] = [];
  const PAGE = 2000;
  for (let i = 0; i < recent.rows.length; i += PAGE) {
    const page = recent.rows.slice(i, i + PAGE).map((r, j) => ({
      position: i + j,
      features: personFeatures(JSON.parse(r.item) as PersonRecord),
    }));
    const candidates = await findCandidates(
      db,
      page.map((p) => ({ position: p.position, keys: blockingKeys(p.features) })),
    );
    const byPosition = new Map(page.map((p) => [p.position, p.features]));
    for (const c of candidates)
      emVectors.push(compare(byPosition.get(c.position)!, c.features, compatible));
  }
  const stamp = (opts.now ?? new Date()).toISOString().replace(/[-:]/g, '').slice(0, 15);
  const made = { version: `fs-${stamp}`, comparison: COMPARISON_VERSION };
  let parameters: ModelParameters = { ...prior, ...made, u };
  let iterations = 0;
  if (emVectors.length >= 1000) {
    const em = estimateByEm(emVectors, { ...parameters, m: prior.m ?? DEFAULT_MODEL.m });
    parameters = { ...em.parameters, ...made };
    iterations = em.iterations;
  }
  const report: TrainingReport = {
    version: parameters.version,
    name_frequencies: frequencies,
    u_pairs: uVectors.length,
    em_pairs: emVectors.length,
    em_iterations: iterations,
    lambda: parameters.lambda,
  };
  await saveModel(db, parameters, { ...report }, opts.actor ?? 'system:training');
  return report;
}
