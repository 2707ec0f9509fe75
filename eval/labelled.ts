/**
 * Matching evaluation on the other labelled sets in ../shared/data that fit a
 * "requests against a store of people at addresses" evaluation (issue 3, point
 * 6 c): FEBRL datasets 1–3 and Zingg's FEBRL-generated 20k (originals as the
 * store, duplicates as requests, the FEBRL 4 protocol), and the Senzing demo
 * truth set (a store of one address of record per person). The Splink sets
 * have no street address and are reported as not applicable. Engine in memory,
 * as eval/febrl.ts. Method: docs/matching-eval-labelled.md.
 *
 *   node bin/run-ts.js eval/labelled.ts [--seed N] [--holdout 0.2] [--train 0.5] [--out FILE]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_MODEL } from '../src/matching/model.ts';
import { nf, runTool } from '../tools/harness.ts';
import { MissingDataError, readFebrl, sharedDataDir, sharedFile } from './labelled/data.ts';
import {
  blockingFigures,
  decideRequest,
  evaluate,
  pct,
  prepare,
  printMisses,
  printSummary,
  printTable,
} from './labelled/harness.ts';
import {
  buildFebrlSet,
  DEFAULT_PROTOCOL,
  engineState,
  parseProtocolOptions,
  runModels,
} from './labelled/protocol.ts';
import { buildSenzingSet } from './labelled/senzing.ts';

const USAGE = `usage: node bin/run-ts.js eval/labelled.ts [options]

  --seed N        seed of the hold-out and train/test splits (default ${DEFAULT_PROTOCOL.seed})
  --holdout X     share of originals kept out of the store (default ${DEFAULT_PROTOCOL.holdout})
  --train X       share of entities in the training split (default ${DEFAULT_PROTOCOL.train})
  --out FILE      JSON results (default eval/results/labelled-sets.json)
  -h, --help      this text

Reads ../shared/data (or $TAXGATE_SHARED_DATA) in place: febrl/dataset{1,2,3}.csv,
zingg_febrl_20k/febrl_20k.csv, senzing_truthset/.`;

/** FEBRL-format sets: one file holds originals and duplicates (a deduplication set). */
const FEBRL_FORMAT = [
  { name: 'febrl1', path: ['febrl', 'dataset1.csv'], header: true },
  { name: 'febrl2', path: ['febrl', 'dataset2.csv'], header: true },
  { name: 'febrl3', path: ['febrl', 'dataset3.csv'], header: true },
  { name: 'zingg_febrl_20k', path: ['zingg_febrl_20k', 'febrl_20k.csv'], header: false },
] as const;

const NOT_APPLICABLE = {
  splink_fake_1000:
    'no street address (first name, surname, dob, city, email): decide() never confirms without house number, street and ZIP or city, so every item would be NOT_CONFIRMED; nothing about the engine would be measured.',
  splink_historical_50k:
    'no street address (names, dob, birth place, a fake UK postcode): same reason; a name-and-dob evaluation belongs to the comparison functions, not to the confirmation rules.',
};

async function main(): Promise<void> {
  const opts = parseProtocolOptions(process.argv.slice(2), USAGE, 'labelled-sets.json');
  const started = performance.now();
  const sets: Record<string, unknown> = {};

  for (const s of FEBRL_FORMAT) {
    const rows = readFebrl(sharedFile(...s.path), s.header);
    const set = buildFebrlSet(rows, rows, opts);
    const { blocking, runs, models } = runModels(set.store, set.requests, s.name);
    console.log(
      `\n=== ${s.name} (${s.path.join('/')}): store ${nf.format(set.counts.store!)} originals ` +
        `(${nf.format(set.counts.held_out_originals!)} held out); requests ${nf.format(set.counts.requests!)} duplicates — ` +
        `${nf.format(set.counts.in_store ?? 0)} positives, ${nf.format(set.counts.held_out ?? 0)} held out` +
        (set.counts.no_original
          ? `, ${nf.format(set.counts.no_original)} without an original in the file`
          : '') +
        `\n    pair completeness ${pct(blocking.pair_completeness)} ` +
        `(${nf.format(blocking.true_pairs_blocked)} of ${nf.format(blocking.true_pairs)})`,
    );
    printSummary(`${s.name}: outcomes`, [
      ['DEFAULT_MODEL, all requests', runs.default_all!],
      ['labelled m + blocked u, test split', runs.labelled_test!],
      ['EM (as model train), test split', runs.em_test!],
    ]);
    const d = runs.default_all!;
    printTable(
      `${s.name}: DEFAULT_MODEL, recall on subsets; blocked misses by failed rule`,
      ['subset / rule failed', 'n', 'confirmed / alone'],
      [
        ...Object.entries(d.recall_on_subsets).map(([k, x]) => [
          k,
          nf.format(x.positives),
          `${nf.format(x.confirmed)} (${pct(x.recall, 1)})`,
        ]),
        ...Object.entries(d.misses.by_failed_rule)
          .sort((a, b) => b[1].misses - a[1].misses)
          .slice(0, 6)
          .map(([k, x]) => [k, nf.format(x.misses), nf.format(x.sole)]),
      ],
    );
    sets[s.name] = { data: s.path.join('/'), counts: set.counts, blocking, runs, models };
  }

  // Senzing: small and hand-built; DEFAULT_MODEL only, every request listed.
  const sz = buildSenzingSet();
  const prepared = prepare(sz.store, sz.requests);
  const run = evaluate(sz.store, prepared, DEFAULT_MODEL);
  const blocking = blockingFigures(prepared);
  console.log(
    `\n=== senzing_truthset: store ${sz.counts.store} addresses of record (one per cluster), ` +
      `${sz.counts.requests} requests (${sz.counts.same_address ?? 0} same address, ` +
      `${sz.counts.other_address ?? 0} same person at another address, ` +
      `${sz.counts.namesake_at_address ?? 0} ambiguous namesakes at the address); ` +
      `${sz.counts.person_records_without_street_address_or_name} person records without a street address or name left out`,
  );
  printSummary('senzing_truthset: outcomes', [['DEFAULT_MODEL, all requests', run]]);
  const items = prepared.map((p) => {
    const d = decideRequest(sz.store, p, DEFAULT_MODEL);
    return {
      request: p.request.id,
      category: p.request.category,
      truth: p.request.truth,
      outcome: d.outcome,
      reasons: d.reasons,
      best: d.best?.tin ?? null,
      best_probability: d.best ? Number(d.best.score.probability.toFixed(4)) : null,
      best_vector: d.best?.vector ?? null,
      correct:
        p.request.truth === null
          ? d.outcome !== 'CONFIRMED'
          : d.outcome === 'CONFIRMED' && d.best?.tin === p.request.truth,
    };
  });
  printTable(
    'senzing_truthset: every request (correct = a positive CONFIRMED on its record, a negative not CONFIRMED)',
    ['request', 'category', 'outcome', 'reason', 'best', 'correct'],
    items.map((i) => [
      i.request,
      i.category,
      i.outcome,
      i.reasons[0] ?? '',
      i.best ?? '',
      i.correct ? 'yes' : 'NO',
    ]),
  );
  printMisses('senzing_truthset', run);
  sets.senzing_truthset = {
    data: 'senzing_truthset/{customers,watchlist,reference}.csv, actual_truthset_key.csv',
    counts: sz.counts,
    blocking,
    runs: { default_all: run },
    items,
  };

  const result = {
    evaluation:
      'taxgate matching: other labelled sets, engine in memory (docs/matching-eval-labelled.md)',
    timestamp: new Date().toISOString(),
    engine: engineState(),
    shared_data: sharedDataDir(),
    protocol: { ...opts, out: undefined },
    sets,
    not_applicable: NOT_APPLICABLE,
    duration_ms: Math.round(performance.now() - started),
  };
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, JSON.stringify(result, null, 2) + '\n');
  console.log(`\nnot applicable: ${Object.keys(NOT_APPLICABLE).join(', ')} (no street address)`);
  console.log(`\nwrote ${opts.out}`);
}

await runTool('eval/labelled', USAGE, main, (err) =>
  err instanceof MissingDataError ? err.message : null,
);
