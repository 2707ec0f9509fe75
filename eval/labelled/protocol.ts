/**
 * The store-and-requests protocol for FEBRL-format files (FEBRL 1–4, Zingg's
 * FEBRL-generated 20k) and what every labelled evaluation records about its run.
 * docs/matching-eval-labelled.md#protocol.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { febrlChanges, febrlEntity, febrlFeatures, type FebrlRow } from './data.ts';
import {
  blockingFigures,
  evaluate,
  HARD_RULES_SUBSET,
  InMemoryStore,
  prepare,
  trainEm,
  trainLabelled,
  type EvalRequest,
  type PreparedRequest,
  type RunMetrics,
  type StoreEntry,
  type Subsets,
} from './harness.ts';
import { DEFAULT_MODEL } from '../../src/matching/model.ts';
import { seededRandom } from '../../src/taxpayers/synthetic.ts';
import { commandOptions, UsageError } from '../../tools/harness.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface FebrlProtocol {
  /** Share of originals kept out of the store; their duplicates become negatives. */
  holdout: number;
  /** Share of entities whose requests train the labelled model (the rest is the test split). */
  train: number;
  seed: number;
}

export const DEFAULT_PROTOCOL: FebrlProtocol = { holdout: 0.2, train: 0.5, seed: 20261124 };

/**
 * The command line of the labelled evaluations: --seed, --holdout, --train, --out
 * (default `eval/results/<outName>`), -h printing `usage`.
 */
export function parseProtocolOptions(
  argv: string[],
  usage: string,
  outName: string,
): FebrlProtocol & { out: string } {
  const values = commandOptions(argv, usage, {
    seed: { type: 'string' },
    holdout: { type: 'string' },
    train: { type: 'string' },
    out: { type: 'string' },
  });
  const share = (name: string, v: string | undefined, dflt: number) => {
    if (v === undefined) return dflt;
    const x = Number(v);
    if (!(x >= 0 && x < 1)) throw new UsageError(`--${name} must be in [0, 1), not '${v}'`);
    return x;
  };
  const seed = values.seed === undefined ? DEFAULT_PROTOCOL.seed : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new UsageError(`--seed must be a non-negative integer, not '${values.seed}'`);
  return {
    seed,
    holdout: share('holdout', values.holdout, DEFAULT_PROTOCOL.holdout),
    train: share('train', values.train, DEFAULT_PROTOCOL.train),
    out: resolve(values.out ?? join('eval', 'results', outName)),
  };
}

/** Seeded shuffle (Fisher–Yates) of a copy. */
function shuffled<T>(xs: readonly T[], rnd: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface FebrlSet {
  store: InMemoryStore;
  requests: EvalRequest[];
  counts: Record<string, number>;
}

/**
 * Store = the originals (`rec-N-org`) less a seeded `holdout` share; requests =
 * every duplicate (`rec-N-dup-k`). A duplicate whose original is in the store is a
 * positive (`in_store`) that must confirm that original; one whose original was held
 * out (`held_out`) or never existed in the file (`no_original`) is a negative that
 * must not confirm anything. Entities are split into train and test with the
 * same seed.
 */
export function buildFebrlSet(
  storeRows: FebrlRow[],
  requestRows: FebrlRow[],
  p: FebrlProtocol,
): FebrlSet {
  const rnd = seededRandom(p.seed);
  const originals = storeRows.filter((r) => febrlEntity(r.rec_id).original);
  const byEntity = new Map(originals.map((r) => [febrlEntity(r.rec_id).entity, r]));
  const sortedIds = [...byEntity.keys()].sort((a, b) => Number(a) - Number(b));
  const heldOut = new Set(
    shuffled(sortedIds, rnd).slice(0, Math.round(p.holdout * sortedIds.length)),
  );
  const entries: StoreEntry[] = sortedIds
    .filter((e) => !heldOut.has(e))
    .map((e) => {
      const r = byEntity.get(e)!;
      return { id: r.rec_id, features: febrlFeatures(r) };
    });
  const dups = requestRows.filter((r) => !febrlEntity(r.rec_id).original);
  const entities = [...new Set(dups.map((r) => febrlEntity(r.rec_id).entity))].sort(
    (a, b) => Number(a) - Number(b),
  );
  const split = new Map(entities.map((e) => [e, rnd() < p.train ? 'train' : 'test'] as const));
  const requests: EvalRequest[] = dups.map((r) => {
    const { entity } = febrlEntity(r.rec_id);
    const org = byEntity.get(entity);
    const category = !org ? 'no_original' : heldOut.has(entity) ? 'held_out' : 'in_store';
    return {
      id: r.rec_id,
      features: febrlFeatures(r),
      truth: category === 'in_store' ? org!.rec_id : null,
      category,
      split: split.get(entity)!,
      ...(org ? { changes: febrlChanges(org, r) } : {}),
    };
  });
  const counts: Record<string, number> = {
    originals: originals.length,
    held_out_originals: heldOut.size,
    store: entries.length,
    requests: requests.length,
  };
  for (const q of requests) counts[q.category] = (counts[q.category] ?? 0) + 1;
  counts.train_requests = requests.filter((q) => q.split === 'train').length;
  counts.test_requests = requests.filter((q) => q.split === 'test').length;
  return { store: new InMemoryStore(entries), requests, counts };
}

/** The fields a duplicate must leave alone for the engine's rules to allow a confirmation. */
const MUST_AGREE = [
  'given_name',
  'surname',
  'street_number',
  'address_1',
  'postcode',
  'date_of_birth',
];

/** Recall subsets for FEBRL-format sets: the hard-rule diagnostic, and by raw fields left intact. */
export const FEBRL_SUBSETS: Subsets = {
  ...HARD_RULES_SUBSET,
  'names, number, address_1, postcode, dob unchanged': (p) =>
    !!p.request.changes && !p.request.changes.some((c) => MUST_AGREE.includes(c)),
  'number, address_1, postcode unchanged': (p) =>
    !!p.request.changes &&
    !p.request.changes.some((c) => ['street_number', 'address_1', 'postcode'].includes(c)),
};

export interface ModelRuns {
  blocking: ReturnType<typeof blockingFigures>;
  runs: Record<string, RunMetrics>;
  models: Record<string, unknown>;
}

/**
 * Runs the engine under three models: DEFAULT_MODEL on every request and on the
 * test split; a model with m from labelled training pairs and u from blocked
 * non-matches, on the test split; and the model `taxgate model train` would fit
 * (u from the store, m by EM), on the test split.
 */
export function runModels(store: InMemoryStore, requests: EvalRequest[], name: string): ModelRuns {
  const prepared = prepare(store, requests);
  const train = prepared.filter((p) => p.request.split === 'train');
  const test = prepared.filter((p) => p.request.split === 'test');
  const labelled = trainLabelled(train, `labelled-${name}`);
  const em = trainEm(store, prepared, `em-${name}`);
  const run = (set: PreparedRequest[], model = DEFAULT_MODEL) =>
    evaluate(store, set, model, FEBRL_SUBSETS);
  return {
    blocking: blockingFigures(prepared),
    runs: {
      default_all: run(prepared),
      default_test: run(test),
      labelled_test: run(test, labelled.parameters),
      em_test: run(test, em.parameters),
    },
    models: {
      default: { version: DEFAULT_MODEL.version },
      labelled: { ...labelled.training, parameters: labelled.parameters },
      em: { ...em.training, parameters: em.parameters },
    },
  };
}

/** The engine's code state: commit, and whether src/matching has uncommitted changes. */
export function engineState(): { commit: string | null; src_matching_uncommitted: string[] } {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    return {
      commit: git('rev-parse', 'HEAD').trim(),
      src_matching_uncommitted: git('status', '--porcelain', '--', 'src/matching')
        .split('\n')
        .filter(Boolean),
    };
  } catch {
    return { commit: null, src_matching_uncommitted: [] };
  }
}
