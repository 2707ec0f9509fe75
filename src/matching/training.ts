import { sql, type Kysely } from 'kysely';
import { outcomeEvidence } from '../intake/batches.store.ts';
import type { Database } from '../storage/schema.ts';
import {
  compare,
  COMPARISON_VERSION,
  type GivenNamesCompatible,
  type PersonFeatures,
} from './comparison.ts';
import {
  activeModel,
  findCandidates,
  modelByVersion,
  refreshNameFrequencies,
  saveModel,
} from './engine.store.ts';
import { blockingKeys, personFeatures, type PersonRecord } from './features.ts';
import {
  constrainEstimated,
  estimateByEmPerRequest,
  type CandidateGroup,
  estimateU,
  type ModelParameters,
} from './scoring.ts';
import { DEFAULT_MODEL } from './model.ts';

export interface TrainingReport {
  version: string;
  name_frequencies: { surnames: number; givens: number };
  u_pairs: number;
  em_pairs: number;
  em_iterations: number;
  /** The model's λ: the documented prior, whatever EM found (ADR 0012). */
  lambda: number;
  /** The share of recent requests whose person EM found among their candidates, or null without EM. */
  em_match_share: number | null;
  /** Recent requests a reviewer confirmed whose chosen candidate labelled EM's pairs. */
  labelled_requests: number;
}

/**
 * Re-estimates the model from the store and recent requests, and stores it as
 * a new version (`taxgate model train`):
 * - name frequencies for the term-frequency adjustment;
 * - u from pairs of different taxpayers that share a blocking key (exactly the
 *   non-matches blocking produces);
 * - m by EM over the candidate pairs of the most recent requests, with u fixed, when
 *   there are enough of them; otherwise m keeps its prior. λ stays the documented
 *   prior: EM's λ is the share of matches among blocked pairs (0.89 on a synthetic mix),
 *   which would lift every candidate by about seven bits and leave the confirmation
 *   threshold of ADR 0005, set for that prior, no work to do (ADR 0012);
 * - constrained (constrainEstimated): surname and address fields keep the prior's u,
 *   a missing date of birth weighs nothing, no weaker level (a street `typo`, a
 *   nickname) outweighs its field's `exact`, and no disagreement weighs for one person.
 */
export async function trainModel(
  db: Kysely<Database>,
  compatible: GivenNamesCompatible,
  opts: {
    maxPairs?: number;
    recentItems?: number;
    /** Candidate pairs EM needs to run (1,000). */
    minEmPairs?: number;
    now?: Date;
    actor?: string;
  } = {},
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

  // Candidate pairs of recent requests, for EM; where a reviewer confirmed an item, the
  // candidate its evidence names first (the decision's choice, engine.ts
  // explainedCandidates) is labelled the person. Only items matched and still held:
  // none purged by retention (their request is gone), none suspended by a hold.
  const recent = await sql<{ item: string; confirmed_tin: string | null }>`
    select i.item,
           case when o.outcome = 'CONFIRMED' and 'REVIEW_DECIDED' = any(o.reasons)
                then ${outcomeEvidence} -> 'c' -> 0 ->> 0
           end as confirmed_tin
      from batch_items i
      join item_outcomes o on o.batch_id = i.batch_id and o.position = i.position
     where o.model_version is not null and i.item::text <> 'null'
       and o.outcome in ('CONFIRMED', 'NOT_CONFIRMED', 'PENDING_REVIEW')
     order by o.decided_at desc limit ${opts.recentItems ?? 20_000}`.execute(db);
  const emGroups = new Map<number, CandidateGroup & { tins: string[] }>();
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
    for (const c of candidates) {
      const group = emGroups.get(c.position) ?? { vectors: [], tins: [] };
      group.vectors.push(compare(byPosition.get(c.position)!, c.features, compatible));
      group.tins.push(c.tin);
      emGroups.set(c.position, group);
    }
  }
  let labelled = 0;
  for (const [position, group] of emGroups) {
    const tin = recent.rows[position]!.confirmed_tin;
    const confirmed = tin === null ? -1 : group.tins.indexOf(tin);
    // A confirmed TIN no longer among the candidates (it moved away since) labels
    // nothing; one that moved within the building is labelled at its new address.
    if (confirmed >= 0) {
      group.confirmed = confirmed;
      labelled++;
    }
  }
  // The version is the time to the second; a second model in the same second takes the
  // next free one (it failed on the versions' primary key before).
  let at = (opts.now ?? new Date()).getTime();
  const versionAt = (ms: number) =>
    `fs-${new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 15)}`;
  while (await modelByVersion(db, versionAt(at))) at += 1000;
  const made = { version: versionAt(at), comparison: COMPARISON_VERSION };
  // Without EM, m is the documented default's, not the active model's: one trained
  // before ADR 0016 would otherwise be copied on (a different given name at −0.38 bits).
  let parameters: ModelParameters = {
    ...prior,
    ...made,
    u,
    m: DEFAULT_MODEL.m,
    lambda: DEFAULT_MODEL.lambda,
  };
  let iterations = 0;
  let matchShare: number | null = null;
  const groups = [...emGroups.values()];
  const emPairs = groups.reduce((n, g) => n + g.vectors.length, 0);
  if (emPairs >= (opts.minEmPairs ?? 1000)) {
    // From the documented prior's m, whose disagreement levels EM keeps: an earlier
    // trained model's would be kept for ever (one trained before ADR 0016 weighed a
    // different given name at −0.38 bits).
    const em = estimateByEmPerRequest(groups, { ...parameters, m: DEFAULT_MODEL.m });
    parameters = { ...em.parameters, ...made, lambda: DEFAULT_MODEL.lambda };
    iterations = em.iterations;
    matchShare = em.matchShare;
  }
  // The store's pairs and EM can weigh a missing date of birth, a different street or a
  // weak agreement far beyond what a request shows (scoring.ts, constrainEstimated).
  parameters = constrainEstimated(parameters, DEFAULT_MODEL);
  const report: TrainingReport = {
    version: parameters.version,
    name_frequencies: frequencies,
    u_pairs: uVectors.length,
    em_pairs: emPairs,
    em_iterations: iterations,
    lambda: parameters.lambda,
    em_match_share: matchShare,
    labelled_requests: labelled,
  };
  await saveModel(db, parameters, { ...report }, opts.actor ?? 'system:training');
  return report;
}
