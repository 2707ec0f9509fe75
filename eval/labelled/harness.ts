/**
 * The engine run in memory on labelled data (issue 3, point 6 b and c): the
 * production functions — personFeatures and blockingKeys (features.ts), compare
 * (comparison.ts), score (scoring.ts), decide (decision.ts) — with blocking done
 * by a Map from key to store entries instead of the SQL join of engine.store.ts,
 * and name frequencies computed as refreshNameFrequencies computes them. Method:
 * docs/matching-eval-labelled.md.
 */
import {
  compare,
  LEVELS,
  type ComparisonVector,
  type Field,
  type PersonFeatures,
} from '../../src/matching/comparison.ts';
import {
  decide,
  DEFAULT_THRESHOLDS,
  type Decision,
  type ScoredCandidate,
} from '../../src/matching/decision.ts';
import { blockingKeys } from '../../src/matching/features.ts';
import { givenNamesCompatible } from '../../src/matching/given-names.ts';
import { DEFAULT_MODEL } from '../../src/matching/model.ts';
import {
  constrainEstimated,
  estimateByEmPerRequest,
  estimateMFromLabels,
  estimateU,
  score,
  type ModelParameters,
} from '../../src/matching/scoring.ts';
import { nf } from '../../tools/harness.ts';

// ---------------------------------------------------------------- small tools

/** Wilson score interval's lower bound (95 %) for k successes in n. */
export function wilsonLower(k: number, n: number): number | null {
  if (n === 0) return null;
  const z = 1.959964;
  const p = k / n;
  const z2n = (z * z) / n;
  return (p + z2n / 2 - z * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n))) / (1 + z2n);
}

export const pct = (x: number | null, digits = 2) =>
  x === null ? 'n/a' : `${(x * 100).toFixed(digits)}%`;
/** k / n, or null when there is nothing to divide (no items of a kind). */
export const ratio = (k: number, n: number) => (n > 0 ? k / n : null);
const bump = (o: Record<string, number>, k: string, by = 1) => (o[k] = (o[k] ?? 0) + by);

/** Prints a table: first column left-aligned, the others right-aligned. */
export function printTable(title: string, header: string[], body: string[][]): void {
  const all = [header, ...body];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  console.log(`\n${title}`);
  for (const r of all) {
    console.log(
      '  ' +
        r
          .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
          .join('  ')
          .trimEnd(),
    );
  }
}

// ---------------------------------------------------------------- store and requests

export interface StoreEntry {
  /** The record's id in its data set (plays the TIN). */
  id: string;
  features: PersonFeatures;
}

export interface EvalRequest {
  id: string;
  features: PersonFeatures;
  /** The store entry the request names, or null when its person is not in the store. */
  truth: string | null;
  /** Row of the errors table ('in_store', 'held_out', …). */
  category: string;
  split: 'train' | 'test';
  /** Source fields the request differs on from its true record (FEBRL corruptions). */
  changes?: string[];
}

/** The store in memory: features, a Map from blocking key to entries, name frequencies. */
export class InMemoryStore {
  readonly entries: StoreEntry[];
  readonly keys: string[][];
  readonly index = new Map<string, number[]>();
  readonly byId = new Map<string, number>();
  /** As refreshNameFrequencies: share of entries with a surname key / a first given name. */
  readonly tf = { surname: new Map<string, number>(), given: new Map<string, number>() };

  constructor(entries: StoreEntry[]) {
    this.entries = entries;
    this.keys = entries.map((e) => blockingKeys(e.features));
    const n = Math.max(1, entries.length);
    entries.forEach((e, i) => {
      if (this.byId.has(e.id)) throw new Error(`duplicate store id ${e.id}`);
      this.byId.set(e.id, i);
      for (const k of this.keys[i]!) {
        const list = this.index.get(k);
        if (list) list.push(i);
        else this.index.set(k, [i]);
      }
      for (const s of e.features.surnameKeys)
        this.tf.surname.set(s, (this.tf.surname.get(s) ?? 0) + 1 / n);
      const g = e.features.given[0];
      if (g) this.tf.given.set(g, (this.tf.given.get(g) ?? 0) + 1 / n);
    });
  }

  /** Every entry that shares at least one blocking key with the request (a union). */
  candidates(keys: string[]): number[] {
    const out = new Set<number>();
    for (const k of keys) for (const i of this.index.get(k) ?? []) out.add(i);
    return [...out];
  }

  /** Pairs of different entries that share a blocking key (u as `taxgate model train` estimates it). */
  blockedPairs(max: number): [number, number][] {
    const seen = new Set<number>();
    const out: [number, number][] = [];
    const n = this.entries.length;
    for (const list of this.index.values()) {
      for (let a = 0; a < list.length; a++) {
        for (let b = a + 1; b < list.length; b++) {
          const [i, j] = list[a]! < list[b]! ? [list[a]!, list[b]!] : [list[b]!, list[a]!];
          const key = i * n + j;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push([i, j]);
          if (out.length >= max) return out;
        }
      }
    }
    return out;
  }
}

/** A request with its candidates compared once; the models only score and decide. */
export interface PreparedRequest {
  request: EvalRequest;
  keys: string[];
  candidates: { entry: number; vector: ComparisonVector }[];
  /** Store index of the true record (null for negatives). */
  truthIndex: number | null;
  /** The true record shares at least one blocking key with the request. */
  blocked: boolean;
  /** The request compared with its true record, blocked or not (errors by level). */
  truthVector: ComparisonVector | null;
}

export function prepare(store: InMemoryStore, requests: EvalRequest[]): PreparedRequest[] {
  return requests.map((request) => {
    const keys = blockingKeys(request.features);
    const candidates = store.candidates(keys).map((entry) => ({
      entry,
      vector: compare(request.features, store.entries[entry]!.features, givenNamesCompatible),
    }));
    const truthIndex = request.truth === null ? null : (store.byId.get(request.truth) ?? null);
    if (request.truth !== null && truthIndex === null)
      throw new Error(`request ${request.id}: true record ${request.truth} is not in the store`);
    const blocked = truthIndex !== null && candidates.some((c) => c.entry === truthIndex);
    const truthVector =
      truthIndex === null
        ? null
        : (candidates.find((c) => c.entry === truthIndex)?.vector ??
          compare(request.features, store.entries[truthIndex]!.features, givenNamesCompatible));
    return { request, keys, candidates, truthIndex, blocked, truthVector };
  });
}

/** Score and decide one prepared request under a model, as matchPage does. */
export function decideRequest(
  store: InMemoryStore,
  p: PreparedRequest,
  model: ModelParameters,
): Decision {
  const scored: ScoredCandidate[] = p.candidates.map(({ entry, vector }) => {
    const rec = store.entries[entry]!.features;
    const surname =
      vector.surname === 'exact' ? store.tf.surname.get(rec.surnames.join(' ')) : undefined;
    const given = vector.given === 'exact' ? store.tf.given.get(rec.given[0] ?? '') : undefined;
    return {
      tin: store.entries[entry]!.id,
      vector,
      score: score(vector, model, { surname, given }),
    };
  });
  return decide(scored, DEFAULT_THRESHOLDS, p.request.features);
}

// ---------------------------------------------------------------- models

export interface TrainedModel {
  parameters: ModelParameters;
  training: Record<string, number | string>;
}

/**
 * m from labelled pairs (each training request compared with its true record,
 * blocked or not: estimateMFromLabels), u from the blocked non-matches of the
 * training requests (estimateU), λ = blocked true pairs / blocked pairs.
 */
export function trainLabelled(train: PreparedRequest[], version: string): TrainedModel {
  const matches = train.flatMap((p) => (p.truthVector ? [p.truthVector] : []));
  const nonMatches = train.flatMap((p) =>
    p.candidates.filter((c) => c.entry !== p.truthIndex).map((c) => c.vector),
  );
  const blockedPairs = train.reduce((s, p) => s + p.candidates.length, 0);
  const blockedTrue = train.filter((p) => p.blocked).length;
  const lambda = Math.min(0.999, Math.max(1e-6, blockedTrue / Math.max(1, blockedPairs)));
  return {
    parameters: {
      version,
      lambda,
      m: estimateMFromLabels(matches),
      u: estimateU(nonMatches),
    },
    training: {
      labelled_match_pairs: matches.length,
      blocked_non_match_pairs: nonMatches.length,
      blocked_pairs: blockedPairs,
      blocked_true_pairs: blockedTrue,
    },
  };
}

/**
 * What `taxgate model train` would estimate on this store (training.ts): u from
 * pairs of different store entries that share a blocking key (at most 200,000), m
 * and λ by EM over the requests' candidate pairs (unlabelled), starting from the
 * default m, then constrained as training does (constrainEstimated).
 */
export function trainEm(
  store: InMemoryStore,
  prepared: PreparedRequest[],
  version: string,
): TrainedModel {
  const pairs = store.blockedPairs(200_000);
  const uVectors = pairs.map(([i, j]) =>
    compare(store.entries[i]!.features, store.entries[j]!.features, givenNamesCompatible),
  );
  const u = uVectors.length >= 1000 ? estimateU(uVectors) : DEFAULT_MODEL.u;
  const groups = prepared
    .filter((p) => p.candidates.length > 0)
    .map((p) => ({ vectors: p.candidates.map((c) => c.vector) }));
  const emPairs = groups.reduce((n, g) => n + g.vectors.length, 0);
  const start: ModelParameters = { ...DEFAULT_MODEL, version, u };
  const out =
    emPairs >= 1000 ? estimateByEmPerRequest(groups, start) : { parameters: start, iterations: 0 };
  return {
    // As `model train`: m by EM, λ the documented prior (ADR 0012), constrained.
    parameters: constrainEstimated(
      { ...out.parameters, version, lambda: DEFAULT_MODEL.lambda },
      DEFAULT_MODEL,
    ),
    training: {
      u_store_pairs: uVectors.length,
      em_pairs: emPairs,
      em_iterations: out.iterations,
    },
  };
}

// ---------------------------------------------------------------- metrics

const FIELDS = Object.keys(LEVELS) as Field[];

export interface RunMetrics {
  model_version: string;
  items: number;
  positives: number;
  negatives: number;
  confirmed: number;
  correct_confirmations: number;
  /** CONFIRMED on a negative, or on a positive naming another record than the true one. */
  false_confirmations: number;
  false_on_negatives: number;
  wrong_record_on_positives: number;
  precision: number | null;
  precision_wilson_lower_95: number | null;
  recall: number | null;
  review_rate: number | null;
  pending_review: number;
  not_confirmed: number;
  by_category: Record<
    string,
    {
      items: number;
      CONFIRMED: number;
      PENDING_REVIEW: number;
      NOT_CONFIRMED: number;
      errors: number;
    }
  >;
  /** Positives not correctly confirmed. */
  misses: {
    total: number;
    /** Where the miss happened: blocking, plausibility, another candidate, or the decision on the true record. */
    by_kind: Record<string, number>;
    /** Outcome and first reason of the decision. */
    by_reason: Record<string, number>;
    /**
     * Blocked misses by hard rule the true pair fails (failedHardRules): misses
     * failing it, and misses failing it alone (what relaxing that rule alone could recover).
     */
    by_failed_rule: Record<string, { misses: number; sole: number }>;
    /** Level of each field of the request against its true record: positives with it, and misses among them. */
    by_level: Record<string, Record<string, { positives: number; misses: number }>>;
    /** Source fields the request changed (FEBRL): positives with the change, and misses among them. */
    by_change?: Record<string, { positives: number; misses: number }>;
  };
  /** Recall on subsets of the positives (see `Subsets`). */
  recall_on_subsets: Record<
    string,
    { positives: number; confirmed: number; recall: number | null }
  >;
  /** False confirmations by id (no record content): what to look at first. */
  false_confirmation_examples: {
    request: string;
    category: string;
    confirmed: string;
    truth: string | null;
    vector: ComparisonVector;
    probability: number;
  }[];
}

/** Named subsets of the positives on which recall is also reported. */
export type Subsets = Record<string, (p: PreparedRequest) => boolean>;

/**
 * Diagnostic: whether the request and its true record, compared alone, pass the
 * decision's hard rules (decision.ts: full address, no unit, suffix or dob
 * conflict, no unit the request lacks, the name agreeing). Positives that fail
 * them cannot be CONFIRMED whatever the model; this mirrors decide() for one
 * candidate and is only used to split the misses.
 */
export function passesHardRules(v: ComparisonVector): boolean {
  return failedHardRules(v).length === 0;
}

/** The hard rules a pair fails, by the field that fails them. */
export function failedHardRules(v: ComparisonVector): string[] {
  const out: string[] = [];
  if (v.house !== 'exact') out.push('house number differs');
  if (v.street !== 'exact') out.push(`street ${v.street}`);
  if (v.locality !== 'zip_exact' && v.locality !== 'city_exact') out.push(`locality ${v.locality}`);
  if (v.unit !== 'both_empty' && v.unit !== 'exact') out.push(`unit ${v.unit}`);
  if (v.suffix === 'conflict') out.push('suffix conflict');
  if (v.dob === 'different') out.push('dob differs');
  const surnameOk = ['exact', 'part', 'typo'].includes(v.surname);
  const givenOk = ['exact', 'other_given', 'nickname', 'typo'].includes(v.given);
  if (!surnameOk) out.push(`surname ${v.surname}`);
  if (!givenOk) out.push(`given name ${v.given}`);
  if (surnameOk && givenOk && v.surname === 'typo' && v.given === 'typo')
    out.push('typo in both names');
  return out;
}

export const HARD_RULES_SUBSET: Subsets = {
  'true pair passes the hard rules': (p) => !!p.truthVector && passesHardRules(p.truthVector),
};

/**
 * Where a positive's miss happened: not found by blocking; found, but the pair
 * itself fails the hard rules (no model could confirm it); or it passes them and
 * the score, the threshold or another candidate stopped it.
 */
function missKind(p: PreparedRequest, d: Decision): string {
  if (!p.blocked) return 'not_blocked';
  if (d.best && d.best.tin !== p.request.truth)
    return d.outcome === 'CONFIRMED' ? 'confirmed_another_record' : 'best_is_another_record';
  if (!passesHardRules(p.truthVector!)) return 'true_pair_fails_hard_rules';
  if (!d.best) return 'passes_rules_not_plausible (p < 0.5)';
  return `passes_rules_${d.outcome}_${d.reasons[0] ?? ''}`;
}

export function evaluate(
  store: InMemoryStore,
  prepared: PreparedRequest[],
  model: ModelParameters,
  subsets: Subsets = HARD_RULES_SUBSET,
): RunMetrics {
  const m: RunMetrics = {
    model_version: model.version,
    items: prepared.length,
    positives: 0,
    negatives: 0,
    confirmed: 0,
    correct_confirmations: 0,
    false_confirmations: 0,
    false_on_negatives: 0,
    wrong_record_on_positives: 0,
    precision: null,
    precision_wilson_lower_95: null,
    recall: null,
    review_rate: null,
    pending_review: 0,
    not_confirmed: 0,
    by_category: {},
    misses: { total: 0, by_kind: {}, by_reason: {}, by_failed_rule: {}, by_level: {} },
    recall_on_subsets: {},
    false_confirmation_examples: [],
  };
  for (const name of Object.keys(subsets))
    m.recall_on_subsets[name] = { positives: 0, confirmed: 0, recall: null };
  const byLevel: Record<string, Record<string, { positives: number; misses: number }>> = {};
  for (const f of FIELDS) {
    byLevel[f] = {};
    for (const l of LEVELS[f]) byLevel[f][l] = { positives: 0, misses: 0 };
  }
  byLevel.swapped = { true: { positives: 0, misses: 0 } };
  const byChange: Record<string, { positives: number; misses: number }> = {};
  let anyChanges = false;

  for (const p of prepared) {
    const d = decideRequest(store, p, model);
    const q = p.request;
    const positive = q.truth !== null;
    const cat = (m.by_category[q.category] ??= {
      items: 0,
      CONFIRMED: 0,
      PENDING_REVIEW: 0,
      NOT_CONFIRMED: 0,
      errors: 0,
    });
    cat.items++;
    cat[d.outcome]++;
    if (positive) m.positives++;
    else m.negatives++;
    if (d.outcome === 'PENDING_REVIEW') m.pending_review++;
    if (d.outcome === 'NOT_CONFIRMED') m.not_confirmed++;
    const confirmed = d.outcome === 'CONFIRMED';
    const correct = confirmed && positive && d.best?.tin === q.truth;
    if (confirmed) m.confirmed++;
    if (correct) m.correct_confirmations++;
    if (confirmed && !correct) {
      m.false_confirmations++;
      if (positive) m.wrong_record_on_positives++;
      else m.false_on_negatives++;
      if (m.false_confirmation_examples.length < 50)
        m.false_confirmation_examples.push({
          request: q.id,
          category: q.category,
          confirmed: d.best!.tin,
          truth: q.truth,
          vector: d.best!.vector,
          probability: d.best!.score.probability,
        });
    }
    if (positive ? !correct : confirmed) cat.errors++;
    if (!positive) continue;

    for (const [name, inSubset] of Object.entries(subsets)) {
      if (!inSubset(p)) continue;
      m.recall_on_subsets[name]!.positives++;
      if (correct) m.recall_on_subsets[name]!.confirmed++;
    }
    const v = p.truthVector!;
    for (const f of FIELDS) byLevel[f]![v[f] as string]!.positives++;
    if (v.swapped) byLevel.swapped.true!.positives++;
    if (q.changes) {
      anyChanges = true;
      const changes = q.changes.length ? q.changes : ['(none)'];
      for (const c of changes) (byChange[c] ??= { positives: 0, misses: 0 }).positives++;
    }
    if (correct) continue;
    m.misses.total++;
    bump(m.misses.by_kind, missKind(p, d));
    bump(m.misses.by_reason, `${d.outcome} ${d.reasons[0] ?? ''}`.trim());
    if (p.blocked) {
      const failed = failedHardRules(v);
      for (const f of failed) {
        const x = (m.misses.by_failed_rule[f] ??= { misses: 0, sole: 0 });
        x.misses++;
        if (failed.length === 1) x.sole++;
      }
    }
    for (const f of FIELDS) byLevel[f]![v[f] as string]!.misses++;
    if (v.swapped) byLevel.swapped.true!.misses++;
    if (q.changes) for (const c of q.changes.length ? q.changes : ['(none)']) byChange[c]!.misses++;
  }
  m.precision = ratio(m.correct_confirmations, m.confirmed);
  m.precision_wilson_lower_95 = wilsonLower(m.correct_confirmations, m.confirmed);
  m.recall = ratio(m.correct_confirmations, m.positives);
  m.review_rate = ratio(m.pending_review, m.items);
  for (const s of Object.values(m.recall_on_subsets)) s.recall = ratio(s.confirmed, s.positives);
  m.misses.by_level = byLevel;
  if (anyChanges) m.misses.by_change = byChange;
  return m;
}

/** Blocking figures: pair completeness (true pairs sharing a key) and candidates per request. */
export function blockingFigures(prepared: PreparedRequest[]) {
  const positives = prepared.filter((p) => p.request.truth !== null);
  const counts = prepared.map((p) => p.candidates.length).sort((a, b) => a - b);
  const total = counts.reduce((a, b) => a + b, 0);
  const sharedBy: Record<string, number> = {};
  for (const p of positives) {
    if (!p.blocked) continue;
    const kinds = new Set(p.keys.map((k) => k.split('|')[0]!));
    for (const k of kinds) bump(sharedBy, k);
  }
  return {
    true_pairs: positives.length,
    true_pairs_blocked: positives.filter((p) => p.blocked).length,
    pair_completeness: ratio(positives.filter((p) => p.blocked).length, positives.length),
    requests_without_keys: prepared.filter((p) => p.keys.length === 0).length,
    candidates_per_request: {
      mean: counts.length ? total / counts.length : 0,
      median: counts[Math.floor(counts.length / 2)] ?? 0,
      max: counts.at(-1) ?? 0,
    },
    /** Blocked true pairs whose request has a key of that kind (z: ZIP+house, s: state+street+house, n: surname+ZIP). */
    request_key_kinds_on_blocked_true_pairs: sharedBy,
  };
}

// ---------------------------------------------------------------- printing

export function printSummary(title: string, runs: [string, RunMetrics][]): void {
  printTable(
    title,
    [
      'model / requests',
      'items',
      'pos.',
      'neg.',
      'precision',
      'false/conf.',
      'Wilson lb',
      'recall',
      'review',
    ],
    runs.map(([name, r]) => [
      name,
      nf.format(r.items),
      nf.format(r.positives),
      nf.format(r.negatives),
      pct(r.precision, 3),
      `${nf.format(r.false_confirmations)}/${nf.format(r.confirmed)}`,
      pct(r.precision_wilson_lower_95, 3),
      pct(r.recall),
      pct(r.review_rate),
    ]),
  );
}

export function printMisses(title: string, r: RunMetrics): void {
  const sorted = (o: Record<string, number>) => Object.entries(o).sort((a, b) => b[1] - a[1]);
  printTable(
    `${title}: misses (positives not CONFIRMED on the true record) by kind and reason`,
    ['kind / outcome reason', 'misses', 'of misses'],
    [
      ...sorted(r.misses.by_kind).map(([k, n]) => [k, nf.format(n), pct(n / r.misses.total, 1)]),
      ['', '', ''],
      ...sorted(r.misses.by_reason).map(([k, n]) => [k, nf.format(n), pct(n / r.misses.total, 1)]),
    ],
  );
  printTable(
    `${title}: blocked misses by hard rule the true pair fails (alone: the only rule failed)`,
    ['rule failed', 'misses', 'alone'],
    Object.entries(r.misses.by_failed_rule)
      .sort((a, b) => b[1].misses - a[1].misses)
      .map(([k, x]) => [k, nf.format(x.misses), nf.format(x.sole)]),
  );
  printTable(
    `${title}: recall on subsets of the positives`,
    ['subset', 'positives', 'confirmed', 'recall'],
    Object.entries(r.recall_on_subsets).map(([name, x]) => [
      name,
      nf.format(x.positives),
      nf.format(x.confirmed),
      pct(x.recall),
    ]),
  );
  const levels: string[][] = [];
  for (const [field, lv] of Object.entries(r.misses.by_level)) {
    for (const [level, c] of Object.entries(lv)) {
      if (c.misses === 0) continue;
      levels.push([
        `${field}=${level}`,
        nf.format(c.positives),
        nf.format(c.misses),
        pct(ratio(c.misses, c.positives), 1),
        pct(c.misses / r.misses.total, 1),
      ]);
    }
  }
  printTable(
    `${title}: comparison levels of the request against its true record`,
    ['field=level', 'positives', 'misses', 'miss rate', 'of misses'],
    levels,
  );
  if (r.misses.by_change) {
    printTable(
      `${title}: fields the duplicate changed`,
      ['changed field', 'positives', 'misses', 'miss rate'],
      Object.entries(r.misses.by_change)
        .sort((a, b) => b[1].positives - a[1].positives)
        .map(([f, c]) => [
          f,
          nf.format(c.positives),
          nf.format(c.misses),
          pct(ratio(c.misses, c.positives), 1),
        ]),
    );
  }
}
