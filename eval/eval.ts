/**
 * Matching evaluation on the synthetic generator (issue 3, point 6 a): builds a
 * seeded evaluation store and a batch of requests with ground truth, sends the
 * batch through the public path (submitBatch + processBatch, whatever matching
 * engine is plugged in), and scores the outcomes: precision of CONFIRMED, recall,
 * review rate and errors by category. Method and figures: docs/matching-eval.md.
 *
 *   npm run eval -- [--seed N] [--returns N] [--items N] [--out FILE] [--database pglite|postgres]
 */
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openTaxgate, type Taxgate } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { sql } from 'kysely';
import { outcomeEvidence } from '../src/intake/batches.store.ts';
import { signBatchEnvelope } from '../src/intake/sign-batch.ts';
import {
  CATEGORIES,
  CATEGORY_LABELS,
  DEFAULT_STATUTE,
  generateRequests,
  isPositive,
  type Category,
  type GeneratedRequest,
} from '../src/matching/evaluation/request-generator.ts';
import { generateEvalStore } from '../src/matching/evaluation/store-generator.ts';
import {
  commandOptions,
  databaseOption,
  integerOption,
  nf,
  note,
  progress,
  runTool,
  scratchDatabase,
  toolAgreement,
  toolOfficial,
  writeReturnsCsv,
  type Cleanups,
  type DatabaseKind,
} from '../tools/harness.ts';
import { pct, ratio, wilsonLower } from './labelled/harness.ts';

/** The held-out seed: never used while tuning the engine (tuning uses TUNING_SEED). */
const HELD_OUT_SEED = 20261124;
const TUNING_SEED = 1;
const AGREEMENT_ID = 'eval-ice';
const TARGETS = { precision: 0.999, recall: 0.95, reviewRate: 0.03 };

const USAGE = `usage: npm run eval -- [options]

  --seed N           seed of store and requests (default ${HELD_OUT_SEED}, the held-out
                     seed; tune on --seed ${TUNING_SEED}, never on the held-out one)
  --returns N        taxpayer returns in the synthetic store (default 200000)
  --items N          request items in the batch (default 20000)
  --out FILE         JSON results (default eval/results/synthetic-<seed>.json)
  --database KIND    pglite (default; DATABASE_URL is ignored) or postgres (creates
                     and drops a database taxgate_eval_<random> on DATABASE_URL's server)
  --keep             keep the temporary data folder (PGlite) to inspect outcomes with
                     taxgate batch show/explain --data DIR; its path is printed
  -h, --help         this text`;

interface Options {
  keep: boolean;
  seed: number;
  returns: number;
  items: number;
  out: string;
  database: DatabaseKind;
}

function parseOptions(argv: string[]): Options {
  const values = commandOptions(argv, USAGE, {
    seed: { type: 'string' },
    returns: { type: 'string' },
    items: { type: 'string' },
    out: { type: 'string' },
    database: { type: 'string' },
    keep: { type: 'boolean' },
  });
  const int = integerOption;
  const database = databaseOption(values.database);
  const seed = int('seed', values.seed, HELD_OUT_SEED, 0);
  return {
    seed,
    returns: int('returns', values.returns, 200_000, 1000),
    items: int('items', values.items, 20_000, 100),
    out: resolve(values.out ?? join('eval', 'results', `synthetic-${seed}.json`)),
    database,
    keep: values.keep === true,
  };
}

// ---------------------------------------------------------------- helpers

function evalAgreement(id: string, items: number) {
  return toolAgreement({
    id,
    requestingAgency: 'DHS/ICE (evaluation)',
    statute: DEFAULT_STATUTE,
    items,
  });
}

/**
 * The agreement (made on first use), an official, the requests as one signed batch,
 * submitted and processed through the public path; its operator view.
 */
async function runBatch(tg: Taxgate, agreementId: string, requests: GeneratedRequest[]) {
  const { officialId, privateKey } = await toolOfficial(
    tg,
    evalAgreement(agreementId, requests.length),
    'Eval Head',
    'admin:eval',
  );
  const envelope = {
    agreement_id: agreementId,
    signed_by: officialId,
    submitted_at: new Date().toISOString(),
    items: requests.map((q) => q.item),
  };
  const body = Buffer.from(await signBatchEnvelope(envelope, privateKey));
  const submitted = await tg.submitBatch(body);
  const bars = { validate: progress('validate'), match: progress('match') };
  const phase: { current: 'validate' | 'match' | null } = { current: null };
  const started = performance.now();
  await tg.processBatch(submitted.batch_id, {
    onProgress: (p, done, total) => {
      if (phase.current && phase.current !== p) bars[phase.current].end();
      phase.current = p;
      bars[p].update(done, total);
    },
  });
  if (phase.current) bars[phase.current].end();
  const processMs = performance.now() - started;
  return { id: submitted.batch_id, processMs, view: await tg.operatorView(submitted.batch_id) };
}

/**
 * Decides the batch's undecided items as a careful reviewer would: CONFIRMED where the
 * candidate the engine chose (its evidence's first) is the requested person, otherwise
 * NOT_CONFIRMED. Returns how many of each.
 */
async function decideReviewsFromTruth(
  tg: Taxgate,
  batchId: string,
  requests: GeneratedRequest[],
  outcomes: Map<string, string | null>,
): Promise<{ confirmed: number; not_confirmed: number }> {
  const decided = { confirmed: 0, not_confirmed: 0 };
  // The candidate each undecided item's evidence names first, in one statement.
  const { rows } = await sql<{ request_id: string; tin: string | null }>`
    select o.request_id, ${outcomeEvidence} -> 'c' -> 0 ->> 0 as tin
      from item_outcomes o
     where o.batch_id = ${batchId} and o.outcome = 'PENDING_REVIEW'`.execute(tg.db);
  const chosenFor = new Map(rows.map((r) => [r.request_id, r.tin]));
  for (const q of requests) {
    if (outcomes.get(q.item.request_id) !== 'PENDING_REVIEW') continue;
    const chosen = chosenFor.get(q.item.request_id);
    const right = q.expectedTin !== null && chosen === q.expectedTin;
    await tg.review(
      batchId,
      q.item.request_id,
      right ? 'CONFIRMED' : 'NOT_CONFIRMED',
      'operator:eval',
    );
    if (right) decided.confirmed++;
    else decided.not_confirmed++;
  }
  return decided;
}

// ---------------------------------------------------------------- scoring

interface CategoryScore {
  kind: 'positive' | 'negative';
  label: string;
  items: number;
  confirmed: number;
  pending_review: number;
  not_confirmed: number;
  rejected: number;
  other: number;
  /** Positives: items not confirmed. Negatives: items confirmed (false confirmations). */
  errors: number;
  error_rate: number | null;
  variants: Record<string, Record<string, number>>;
}

/** Scores outcomes (by request id) against the generated ground truth. */
function score(requests: GeneratedRequest[], outcomes: Map<string, string | null>) {
  const byCategory = Object.fromEntries(
    CATEGORIES.map((c): [Category, CategoryScore] => [
      c,
      {
        kind: isPositive(c) ? 'positive' : 'negative',
        label: CATEGORY_LABELS[c],
        items: 0,
        confirmed: 0,
        pending_review: 0,
        not_confirmed: 0,
        rejected: 0,
        other: 0,
        errors: 0,
        error_rate: null,
        variants: {},
      },
    ]),
  ) as Record<Category, CategoryScore>;
  const totals = { items: 0, positives: 0, negatives: 0, confirmed: 0, review: 0, rejected: 0 };
  let confirmedPositives = 0;
  let confirmedNegatives = 0;
  for (const q of requests) {
    const outcome = outcomes.get(q.item.request_id) ?? 'MISSING';
    const s = byCategory[q.category];
    s.items++;
    totals.items++;
    const positive = q.expectedTin !== null;
    if (positive) totals.positives++;
    else totals.negatives++;
    if (outcome === 'CONFIRMED') {
      s.confirmed++;
      totals.confirmed++;
      if (positive) confirmedPositives++;
      else confirmedNegatives++;
    } else if (outcome === 'PENDING_REVIEW') {
      s.pending_review++;
      totals.review++;
    } else if (outcome === 'NOT_CONFIRMED') s.not_confirmed++;
    else if (outcome.startsWith('REJECTED')) {
      s.rejected++;
      totals.rejected++;
    } else s.other++;
    const v = (s.variants[q.variant] ??= {});
    v[outcome] = (v[outcome] ?? 0) + 1;
  }
  for (const s of Object.values(byCategory)) {
    s.errors = s.kind === 'positive' ? s.items - s.confirmed : s.confirmed;
    s.error_rate = ratio(s.errors, s.items);
  }
  const summary = {
    items: totals.items,
    positives: totals.positives,
    negatives: totals.negatives,
    confirmed: totals.confirmed,
    correct_confirmations: confirmedPositives,
    false_confirmations: confirmedNegatives,
    precision: ratio(confirmedPositives, totals.confirmed),
    precision_wilson_lower_95: wilsonLower(confirmedPositives, totals.confirmed),
    recall: ratio(confirmedPositives, totals.positives),
    review_rate: ratio(totals.review, totals.items),
    pending_review: totals.review,
    rejected_by_intake: totals.rejected,
  };
  return { summary, byCategory };
}

// ---------------------------------------------------------------- main

async function main(cleanups: Cleanups): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const today = new Date().toISOString().slice(0, 10);
  const tmp = await mkdtemp(join(tmpdir(), 'taxgate-eval-'));
  if (!opts.keep) {
    cleanups.add(`remove ${tmp}`, () =>
      rm(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }),
    );
  }
  const dataDir = join(tmp, 'data');
  const csvPath = join(tmp, 'returns.csv');
  const env: Record<string, string | undefined> = {
    ...process.env,
    TAXGATE_DATA: dataDir,
    TAXGATE_LOG_LEVEL: 'warn',
  };
  let databaseUrl: string | undefined;
  if (opts.database === 'postgres') databaseUrl = await scratchDatabase(cleanups, 'taxgate_eval');
  else delete env.DATABASE_URL; // PGlite in the temp folder, whatever the shell says.
  const config = loadConfig(env, { dataDir, databaseUrl });
  note(
    `eval: seed ${opts.seed}${opts.seed === HELD_OUT_SEED ? ' (held out)' : ''}, ` +
      `${nf.format(opts.returns)} returns, ${nf.format(opts.items)} items, ${opts.database}, temp ${tmp}`,
  );

  // 1. Store and requests (ground truth stays in this process).
  let t = performance.now();
  const store = generateEvalStore({ returns: opts.returns, seed: opts.seed });
  note(
    `  store: ${nf.format(store.returns.length)} returns, ${nf.format(store.people.length)} taxpayers (${nf.format(performance.now() - t)} ms)`,
  );
  t = performance.now();
  const set = generateRequests(store, { items: opts.items, seed: opts.seed, today });
  note(`  requests: ${nf.format(set.requests.length)} (${nf.format(performance.now() - t)} ms)`);
  const short = Object.entries(set.shortfall).filter(([, n]) => n > 0);
  if (short.length > 0) {
    note(
      `eval: warning: the store was too small for ${short.map(([c, n]) => `${c} −${n}`).join(', ')}`,
    );
  }
  await writeReturnsCsv(csvPath, store.returns, store.returns.length);

  // 2. A fresh taxgate, the store imported through the public path.
  const tg: Taxgate = await openTaxgate(config);
  cleanups.add('close taxgate', () => tg.close());
  const importBar = progress('import');
  const imported = await tg.importTaxpayers(createReadStream(csvPath), {
    actor: 'eval',
    onProgress: (rows) => importBar.update(rows, store.returns.length),
  });
  importBar.end();
  if (imported.rejected > 0) {
    note(
      `eval: warning: ${imported.rejected} returns rejected, e.g. line ${imported.problems[0]?.line}: ${imported.problems[0]?.reason}`,
    );
  }
  const counts = await tg.countTaxpayers();

  // 3. Agreement, official, signed batch, submitted and processed.
  const batch = await runBatch(tg, AGREEMENT_ID, set.requests);
  const { view, processMs } = batch;
  const submitted = { batch_id: batch.id };

  // 4. Outcomes, scored against the ground truth.
  const outcomes = new Map(view.items.map((i) => [i.request_id ?? '', i.outcome]));
  const { summary, byCategory } = score(set.requests, outcomes);
  // The first errors, by request id (synthetic), to look at with `batch explain`.
  const errors = set.requests
    .filter((q) => {
      const o = outcomes.get(q.item.request_id);
      return q.expectedTin !== null ? o !== 'CONFIRMED' : o === 'CONFIRMED';
    })
    .slice(0, 200)
    .map((q) => ({
      request_id: q.item.request_id,
      category: q.category,
      variant: q.variant,
      outcome: outcomes.get(q.item.request_id) ?? null,
    }));
  if (opts.keep) process.stderr.write(`kept ${dataDir} — batch ${submitted.batch_id}\n`);

  // 5. The model `taxgate model train` makes once reviewers have decided this batch's
  // undecided items, on a second request set (another seed, another agreement, so that
  // its subjects are not duplicates of the first batch's).
  t = performance.now();
  const reviewed = await decideReviewsFromTruth(tg, submitted.batch_id, set.requests, outcomes);
  const training = await tg.trainModel('operator:eval');
  const trainedSet = generateRequests(store, { items: opts.items, seed: opts.seed + 1, today });
  const trainedBatch = await runBatch(tg, `${AGREEMENT_ID}-trained`, trainedSet.requests);
  const trainedOutcomes = new Map(
    trainedBatch.view.items.map((i) => [i.request_id ?? '', i.outcome]),
  );
  const trained = {
    request_seed: opts.seed + 1,
    reviews_decided: reviewed,
    training,
    ...score(trainedSet.requests, trainedOutcomes),
    duration_ms: Math.round(performance.now() - t),
  };

  const result = {
    evaluation: 'taxgate matching: synthetic generator (docs/matching-eval.md)',
    timestamp: new Date().toISOString(),
    seed: opts.seed,
    held_out_seed: HELD_OUT_SEED,
    tuning_seed: TUNING_SEED,
    held_out: opts.seed === HELD_OUT_SEED,
    options: { ...opts, out: undefined },
    store: {
      returns: store.returns.length,
      taxpayers: store.people.length,
      imported_rows: imported.rows,
      imported_rejected: imported.rejected,
      store_taxpayers: counts.taxpayers,
    },
    batch: {
      id: submitted.batch_id,
      state: view.state,
      items: view.items.length,
      process_ms: Math.round(processMs),
      planned: set.planned,
      shortfall: set.shortfall,
    },
    targets: TARGETS,
    summary,
    by_category: byCategory,
    errors,
    trained_model: {
      request_seed: trained.request_seed,
      reviews_decided: trained.reviews_decided,
      training: trained.training,
      summary: trained.summary,
      by_category: trained.byCategory,
      duration_ms: trained.duration_ms,
    },
    limits: [
      'An outcome does not name the TIN it confirmed, so a CONFIRMED on a positive item is counted correct; confirming the wrong taxpayer on a positive item would go unnoticed. Positives are built so that no other taxpayer at the dwelling reads as the requested name, which makes that case unlikely but not impossible for a faulty engine.',
    ],
    duration_ms: Math.round(performance.now() - started),
  };
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, JSON.stringify(result, null, 2) + '\n');

  printReport(opts, summary, byCategory);
  printTrained(trained);
  console.log(`\nwrote ${opts.out}`);
}

function printReport(
  opts: Options,
  summary: ReturnType<typeof score>['summary'],
  byCategory: Record<Category, CategoryScore>,
): void {
  const heldOut = opts.seed === HELD_OUT_SEED ? 'held-out seed' : 'NOT the held-out seed';
  console.log(
    `\ntaxgate matching evaluation: synthetic, seed ${opts.seed} (${heldOut}), ` +
      `${nf.format(opts.returns)} returns, ${nf.format(summary.items)} items`,
  );
  const line = (label: string, value: string) => console.log(`  ${label.padEnd(30)} ${value}`);
  const meets = (ok: boolean) => (ok ? 'meets' : 'BELOW');
  line(
    'precision of CONFIRMED',
    `${pct(summary.precision, 3)} (${nf.format(summary.false_confirmations)} false of ${nf.format(summary.confirmed)}; ` +
      `95% lower bound ${pct(summary.precision_wilson_lower_95, 3)}) ` +
      (summary.precision === null ? '' : meets(summary.precision >= TARGETS.precision)) +
      ` target ≥ ${pct(TARGETS.precision, 1)}`,
  );
  line(
    'recall',
    `${pct(summary.recall)} (${nf.format(summary.correct_confirmations)} of ${nf.format(summary.positives)} positives) ` +
      (summary.recall === null ? '' : meets(summary.recall >= TARGETS.recall)) +
      ` target ≥ ${pct(TARGETS.recall, 0)}`,
  );
  line(
    'review rate',
    `${pct(summary.review_rate)} (${nf.format(summary.pending_review)} PENDING_REVIEW) ` +
      (summary.review_rate === null ? '' : meets(summary.review_rate <= TARGETS.reviewRate)) +
      ` target ≤ ${pct(TARGETS.reviewRate, 0)}`,
  );
  if (summary.rejected_by_intake > 0) {
    line('rejected by intake (a bug)', nf.format(summary.rejected_by_intake));
  }
  const header = ['category', 'n', 'confirmed', 'review', 'not conf.', 'errors', 'error rate'];
  const rows = (kind: 'positive' | 'negative') =>
    CATEGORIES.filter((c) => byCategory[c].kind === kind).map((c) => {
      const s = byCategory[c];
      return [
        c,
        nf.format(s.items),
        nf.format(s.confirmed),
        nf.format(s.pending_review),
        nf.format(s.not_confirmed + s.rejected + s.other),
        nf.format(s.errors),
        pct(s.error_rate, 1),
      ];
    });
  const table = (title: string, body: string[][]) => {
    const all = [header, ...body];
    const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
    console.log(`\n${title}`);
    for (const r of all) {
      console.log(
        '  ' +
          r
            .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
            .join('  '),
      );
    }
  };
  table('positives (errors = misses: not CONFIRMED)', rows('positive'));
  table('negatives (errors = false confirmations)', rows('negative'));
}

function printTrained(trained: {
  request_seed: number;
  reviews_decided: { confirmed: number; not_confirmed: number };
  training: { version: string; em_pairs: number; labelled_requests: number };
  summary: ReturnType<typeof score>['summary'];
  byCategory: Record<Category, CategoryScore>;
}): void {
  const { summary: s, training } = trained;
  console.log(
    `\ntrained model ${training.version} (taxgate model train after a reviewer decided the ` +
      `batch's ${nf.format(trained.reviews_decided.confirmed + trained.reviews_decided.not_confirmed)} reviews from the truth, ` +
      `${nf.format(trained.reviews_decided.confirmed)} confirmed; EM over ${nf.format(training.em_pairs)} candidate pairs, ` +
      `${nf.format(training.labelled_requests)} labelled), on requests of seed ${trained.request_seed}`,
  );
  const line = (label: string, value: string) => console.log(`  ${label.padEnd(30)} ${value}`);
  line(
    'precision of CONFIRMED',
    `${pct(s.precision, 3)} (${nf.format(s.false_confirmations)} false of ${nf.format(s.confirmed)})`,
  );
  line(
    'recall',
    `${pct(s.recall)} (${nf.format(s.correct_confirmations)} of ${nf.format(s.positives)})`,
  );
  line('review rate', `${pct(s.review_rate)} (${nf.format(s.pending_review)} PENDING_REVIEW)`);
  const falseBy = CATEGORIES.filter(
    (c) => trained.byCategory[c].kind === 'negative' && trained.byCategory[c].errors > 0,
  ).map((c) => `${c} ${trained.byCategory[c].errors}`);
  if (falseBy.length > 0) line('false confirmations by category', falseBy.join(', '));
}

await runTool('eval', USAGE, main);
