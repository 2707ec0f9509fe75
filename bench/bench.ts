/**
 * End-to-end throughput benchmark: taxpayer import, then one signed batch through
 * submission, validation and matching, on PGlite or PostgreSQL.
 * Usage and the meaning of each figure: bench/README.md.
 *
 *   npm run bench -- --returns 100000 --items 10000 [--database pglite|postgres] [--seed N] [--out FILE]
 */
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, freemem, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openTaxgate, type Taxgate } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { MatchTimings } from '../src/intake/pipeline.ts';
import { signBatchEnvelope } from '../src/intake/sign-batch.ts';
import { appendEvents } from '../src/ledger/events.store.ts';
import { addDays } from '../src/policy/item-rules.ts';
import { dropServerDatabase } from '../src/storage/db.ts';
import { seededRandom, syntheticReturns } from '../src/taxpayers/synthetic.ts';
import type { TaxpayerReturn } from '../src/taxpayers/taxpayer-row.ts';
import {
  commandOptions,
  adminDatabaseUrl,
  databaseOption,
  integerOption,
  nf,
  note,
  perSecond,
  progress,
  runTool,
  scratchDatabase,
  toolAgreement,
  toolOfficial,
  UsageError,
  withAdmin,
  writeReturnsCsv,
  type Cleanups,
  type DatabaseKind,
} from '../tools/harness.ts';
/** Which part of the batch an item was built for (the bench's own ground truth). */
type Category = 'from_returns' | 'random_people' | 'invalid';

const USAGE = `usage: npm run bench -- [options]

  --returns N        synthetic taxpayer returns to import (default 100000)
  --items N          request items in the benchmark batch (default 10000)
  --database KIND    pglite (default) or postgres (uses DATABASE_URL's server;
                     creates and drops a database taxgate_bench_<random>)
  --out FILE         JSON results (default bench/results/bench-<database>.json)
  --seed N           seed of the synthetic data (default 1)
  --lanes N          pages matched at once (default: 2 on postgres, 1 on pglite)
  --store DIR|NAME   keep the imported store and reuse it on later runs with the
                     same --returns and --seed (import skipped): a folder for
                     pglite, a database name on the server for postgres
  --batches N        batches of --items each, submitted and processed one after
                     another in this process, each with other people (default 1):
                     the figures are the median batch's, each batch's beside them
  -h, --help         this text`;

const LATEST_YEAR = 2024;
const AGREEMENT_ID = 'bench-ice';
const STATUTE = '8 USC 1253(a)(1)(A)';

interface Options {
  returns: number;
  items: number;
  database: DatabaseKind;
  out: string;
  seed: number;
  store: string | null;
  lanes: number | undefined;
  batches: number;
}

function parseOptions(argv: string[]): Options {
  const values = commandOptions(argv, USAGE, {
    returns: { type: 'string' },
    items: { type: 'string' },
    database: { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string' },
    store: { type: 'string' },
    lanes: { type: 'string' },
    batches: { type: 'string' },
  });
  const int = integerOption;
  const database = databaseOption(values.database);
  if (values.store && database === 'postgres' && !/^[a-z_][a-z0-9_]{0,62}$/.test(values.store)) {
    throw new UsageError(
      `--store names a database with --database postgres: lower-case letters, digits and _, not '${values.store}'`,
    );
  }
  return {
    returns: int('returns', values.returns, 100_000, 1),
    items: int('items', values.items, 10_000, 1),
    database,
    out: resolve(values.out ?? join('bench', 'results', `bench-${database}.json`)),
    seed: int('seed', values.seed, 1, 0),
    lanes: values.lanes === undefined ? undefined : int('lanes', values.lanes, 1, 1),
    batches: int('batches', values.batches, 1, 1),
    store: values.store ? (database === 'pglite' ? resolve(values.store) : values.store) : null,
  };
}

// ---------------------------------------------------------------- helpers

const nf1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const MiB = 1024 * 1024;
const fmtMs = (ms: number) => (ms >= 10_000 ? `${nf1.format(ms / 1000)} s` : `${nf.format(ms)} ms`);
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Peak resident set size, sampled every 100 ms (misses spikes shorter than that). */
function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  timer.unref();
  return {
    peak: () => Math.max(peak, process.memoryUsage().rss),
    stop: () => clearInterval(timer),
  };
}

// ---------------------------------------------------------------- data

/**
 * Writes the returns CSV and, on the way, keeps a uniform sample (reservoir) of
 * `sampleSize` latest-year returns: one per TIN, each the TIN's address of record.
 */
async function writeSampledReturnsCsv(
  path: string,
  opts: Options,
  sampleSize: number,
): Promise<{ sample: TaxpayerReturn[]; latestReturns: number; bytes: number }> {
  const rnd = seededRandom(opts.seed * 7919 + 17);
  const sample: TaxpayerReturn[] = [];
  let latestReturns = 0;
  function* sampled(): Generator<TaxpayerReturn> {
    for (const r of syntheticReturns({
      returns: opts.returns,
      seed: opts.seed,
      latestYear: LATEST_YEAR,
    })) {
      if (r.tax_year === LATEST_YEAR) {
        if (sample.length < sampleSize) sample.push(r);
        else {
          const j = Math.floor(rnd() * (latestReturns + 1));
          if (j < sampleSize) sample[j] = r;
        }
        latestReturns++;
      }
      yield r;
    }
  }
  const bytes = await writeReturnsCsv(path, sampled(), opts.returns, 'generate CSV');
  return { sample, latestReturns, bytes };
}

/** A lawful, complete request item for a person at an address. */
function requestItem(requestId: string, p: TaxpayerReturn, n: number): Record<string, unknown> {
  const today = new Date().toISOString().slice(0, 10);
  return {
    request_id: requestId,
    first_name: p.first_name,
    middle_name: p.middle_name,
    last_name: p.last_name,
    street: p.street,
    unit: p.unit,
    city: p.city,
    state: p.state,
    zip: p.zip,
    dob: p.dob ?? undefined,
    a_number: 'A' + String(200_000_000 + n).padStart(9, '0'),
    removal_order_date: addDays(today, -200),
    removal_order_case_number: `BENCH-CASE-${n}`,
    taxable_periods: [LATEST_YEAR - 1, LATEST_YEAR],
    statute: STATUTE,
    reason: `Subject of a final removal order in case BENCH-CASE-${n}; locating for its enforcement`,
    investigation_id: `BENCH-INV-${n}`,
    recipients: ['Officer A. Example'],
  };
}

/** Ways to make an item unlawful or incomplete, cycled through (half are "Failed to Provide"). */
const BREAKERS: ((item: Record<string, unknown>) => void)[] = [
  (i) => (i.street = 'Failed to Provide'),
  (i) => (i.street = String(i.zip)),
  (i) => (i.street = 'Failed to Provide'),
  (i) => (i.street = 'Unknown Address'),
  (i) => (i.street = 'Failed to Provide'),
  (i) => (i.removal_order_date = addDays(new Date().toISOString().slice(0, 10), -30)),
  (i) => (i.street = 'Failed to Provide'),
  (i) => (i.statute = '26 USC 7201'),
  (i) => (i.street = 'Failed to Provide'),
  (i) => delete i.reason,
];

/**
 * Batch number `batch` (from 0): ~60% people taken from the imported returns (latest
 * year, so they should confirm), ~30% synthetic people from another seed (not in the
 * store), ~10% invalid requests. Shuffled with the seed. Each batch has its own
 * people: the same subject again within the agreement's window would be refused as a
 * duplicate, not matched.
 */
function buildItems(
  opts: Options,
  sample: TaxpayerReturn[],
  batch: number,
): { items: Record<string, unknown>[]; categoryOf: Map<string, Category> } {
  const nInvalid = Math.round(opts.items * 0.1);
  const perBatch = Math.floor(sample.length / opts.batches);
  const nMatch = Math.min(perBatch, Math.round(opts.items * 0.6));
  const nOther = opts.items - nMatch - nInvalid;
  const plan: [TaxpayerReturn, Category][] = sample
    .slice(batch * perBatch, batch * perBatch + nMatch)
    .map((r) => [r, 'from_returns']);
  const strangers = syntheticReturns({
    returns: Number.MAX_SAFE_INTEGER,
    seed: opts.seed + 1_000_003 + batch * 7_919,
    latestYear: LATEST_YEAR,
  });
  for (let k = 0; k < nOther + nInvalid;) {
    const r = strangers.next().value as TaxpayerReturn;
    if (r.tax_year !== LATEST_YEAR) continue;
    plan.push([r, k < nOther ? 'random_people' : 'invalid']);
    k++;
  }
  const rnd = seededRandom(opts.seed * 31 + 5 + batch);
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }
  const categoryOf = new Map<string, Category>();
  let broken = 0;
  const items = plan.map(([person, category], n) => {
    const requestId = `bench-${batch + 1}-${String(n + 1).padStart(7, '0')}`;
    const item = requestItem(requestId, person, batch * opts.items + n + 1);
    if (category === 'invalid') BREAKERS[broken++ % BREAKERS.length]!(item);
    categoryOf.set(requestId, category);
    return item;
  });
  return { items, categoryOf };
}

// ---------------------------------------------------------------- database

/** The returns/seed a kept store was imported with, or null when there is none. */
async function keptStoreKey(dir: string): Promise<string | null> {
  try {
    return (await readFile(join(dir, 'store.json'), 'utf8')).trim();
  } catch {
    return null;
  }
}

/** The returns/seed a kept store database was imported with (its comment), or null. */
async function keptStoreDatabaseKey(name: string): Promise<string | null> {
  const r = await withAdmin((admin) =>
    admin.query<{ key: string | null }>(
      `select shobj_description(oid, 'pg_database') as key from pg_database where datname = $1`,
      [name],
    ),
  );
  return r.rows[0]?.key ?? null;
}

/** Copies the bench database (no one connected) to the kept store database. */
async function keepStoreDatabase(benchUrl: string, name: string, key: string): Promise<void> {
  const bench = new URL(benchUrl).pathname.slice(1);
  await dropServerDatabase(adminDatabaseUrl(), name);
  await withAdmin(async (admin) => {
    await admin.query(`create database ${name} template ${bench}`);
    await admin.query(`comment on database ${name} is ${admin.escapeLiteral(key)}`);
  });
}

/**
 * CPU (user + system, ms) of every `postgres` process on this machine from /proc, or null
 * without /proc or such a process (a server elsewhere). Beside match_process_cpu_ms it
 * shows how the two cores were shared. Read synchronously: it is taken in the progress
 * callback, at the phase's first instant. A process that ended (a parallel query's
 * worker, an autovacuum worker) is counted once its parent reaped it: every process's
 * cutime and cstime, its waited-for children's CPU, are added (the postmaster's hold the
 * workers' CPU). Without them the parallel scans a plan may choose went uncounted.
 * A process that ends during the phase brings all its CPU, also what it used before:
 * none of ours does (the pool keeps its connections), an autovacuum worker may.
 * Linux counts in USER_HZ = 100 ticks a second.
 */
function localPostgresCpuMs(): number | null {
  let ticks = 0;
  let found = false;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    const close = stat.lastIndexOf(')');
    if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
    const fields = stat.slice(close + 2).split(' '); // from field 3, state
    // Fields 14 to 17: utime, stime, cutime, cstime.
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    found = true;
  }
  return found ? ticks * 10 : null;
}

// ---------------------------------------------------------------- main

async function main(cleanups: Cleanups): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const rss = rssSampler();
  cleanups.add('stop RSS sampler', async () => rss.stop());

  const tmp = await mkdtemp(join(tmpdir(), 'taxgate-bench-'));
  // Retries: on an interrupt PGlite may still be writing into the folder.
  cleanups.add(`remove ${tmp}`, () =>
    rm(tmp, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }),
  );
  const dataDir = join(tmp, 'data');
  const csvPath = join(tmp, 'returns.csv');

  const env: Record<string, string | undefined> = {
    ...process.env,
    TAXGATE_DATA: dataDir,
    TAXGATE_LOG_LEVEL: 'warn',
  };
  const storeKey = JSON.stringify({ returns: opts.returns, seed: opts.seed });
  const keptKey =
    opts.store === null
      ? null
      : opts.database === 'postgres'
        ? await keptStoreDatabaseKey(opts.store)
        : await keptStoreKey(opts.store);
  const reuse = keptKey !== null && keptKey === storeKey;
  let databaseUrl: string | undefined;
  if (opts.database === 'postgres') {
    if (reuse) note(`bench: reusing the store kept in database ${opts.store} (import skipped)`);
    databaseUrl = await scratchDatabase(cleanups, 'taxgate_bench', reuse ? opts.store! : undefined);
  } else {
    delete env.DATABASE_URL; // PGlite in the temp folder, whatever the shell says.
  }
  const config = loadConfig(env, { dataDir, databaseUrl });

  note(
    `bench: ${nf.format(opts.returns)} returns, ${nf.format(opts.items)} items, ` +
      `${opts.database}, seed ${opts.seed}, temp ${tmp}`,
  );

  // 1. Synthetic returns CSV (not timed as taxgate work).
  const nMatchWanted = Math.round(opts.items * 0.6);
  let t = performance.now();
  const csv = await writeSampledReturnsCsv(csvPath, opts, nMatchWanted * opts.batches);
  const generateMs = performance.now() - t;

  // 2. Open (and migrate) a fresh taxgate, or a copy of a kept store.
  if (reuse && opts.database === 'pglite') {
    note(`bench: reusing the store kept in ${opts.store} (import skipped)`);
    await cp(join(opts.store!, 'data'), dataDir, { recursive: true });
  }
  t = performance.now();
  let tg: Taxgate = await openTaxgate(config);
  const openMs = performance.now() - t;
  const rssAfterOpen = process.memoryUsage().rss;
  cleanups.add('close taxgate', () => tg.close());

  // 3. Import.
  let imported = {
    rows: 0,
    inserted: 0,
    rejected: 0,
    problems: [] as { line: number; reason: string }[],
  };
  let importMs = 0;
  if (!reuse) {
    const importBar = progress('import');
    t = performance.now();
    imported = await tg.importTaxpayers(createReadStream(csvPath), {
      actor: 'bench',
      onProgress: (rows) => importBar.update(rows, opts.returns),
    });
    importMs = performance.now() - t;
    importBar.end();
    if (opts.store !== null) {
      // Copy the closed database: nothing may write to it while it is copied.
      await tg.close();
      if (opts.database === 'postgres') {
        await keepStoreDatabase(databaseUrl!, opts.store, storeKey);
        note(`bench: store kept in database ${opts.store}`);
      } else {
        await rm(opts.store, { recursive: true, force: true });
        await cp(dataDir, join(opts.store, 'data'), { recursive: true });
        await writeFile(join(opts.store, 'store.json'), storeKey + '\n');
        note(`bench: store kept in ${opts.store}`);
      }
      tg = await openTaxgate(config);
    }
  }
  const rssAfterImport = process.memoryUsage().rss;
  const store = await tg.countTaxpayers();
  if (imported.rejected > 0) {
    note(
      `bench: warning: ${imported.rejected} rows rejected, e.g. line ${imported.problems[0]?.line}: ${imported.problems[0]?.reason}`,
    );
  }

  // 4. Agreement, official, signed batch.
  const { officialId, privateKey } = await toolOfficial(
    tg,
    toolAgreement({
      id: AGREEMENT_ID,
      requestingAgency: 'DHS/ICE (benchmark)',
      statute: STATUTE,
      items: opts.items,
    }),
    'Bench Head',
    'admin:bench',
  );

  // 5. Submit + process, batch after batch; each batch's outcomes counted as it ends.
  const runs: BatchRun[] = [];
  const tally = emptyTally();
  for (let b = 0; b < opts.batches; b++) {
    if (opts.batches > 1) note(`bench: batch ${b + 1} of ${opts.batches}`);
    runs.push(
      await runBatch(tg, opts, { batch: b, sample: csv.sample, officialId, privateKey, tally }),
    );
  }
  // m: the median batch by match rate (the lower middle one of an even number).
  const m = [...runs].sort((a, b) => a.matchItemsPerS - b.matchItemsPerS)[
    Math.floor((runs.length - 1) / 2)
  ]!;

  // 6. Ledger appends alone: events in transactions of 200, as pipeline pages write
  // them, so the ledger's own rate shows beside the batch's.
  const LEDGER_EVENTS = 20_000;
  const LEDGER_TX = 200;
  t = performance.now();
  for (let i = 0; i < LEDGER_EVENTS; i += LEDGER_TX) {
    await tg.db.transaction().execute((trx) =>
      appendEvents(
        trx,
        Array.from({ length: LEDGER_TX }, (_, k) => ({
          type: 'bench.append',
          actor: 'system:bench',
          payload: { n: i + k },
        })),
      ),
    );
  }
  const ledgerMs = performance.now() - t;

  const peakSampled = rss.peak();
  const maxRss = process.resourceUsage().maxRSS * 1024; // reported in KiB

  const figures = {
    generate_csv_ms: round(generateMs),
    csv_bytes: csv.bytes,
    open_and_migrate_ms: round(openMs),
    store_reused: reuse,
    import_ms: round(importMs),
    import_returns_per_s: round(perSecond(imported.rows, importMs)),
    import_rows: imported.rows,
    import_inserted: imported.inserted,
    import_rejected: imported.rejected,
    store_returns: store.returns,
    store_taxpayers: store.taxpayers,
    // From here to operator_view_ms: the median batch's (match_batches lists each one).
    build_and_sign_ms: round(m.buildSignMs),
    batch_body_bytes: m.bodyBytes,
    submit_ms: round(m.submitMs),
    submit_items_per_s: round(perSecond(opts.items, m.submitMs)),
    process_ms: round(m.processMs),
    process_items_per_s: round(perSecond(opts.items, m.processMs)),
    validate_ms: round(m.validateMs),
    validate_items_per_s: round(perSecond(opts.items, m.validateMs)),
    match_ms: round(m.matchMs),
    match_items: m.matchItems,
    match_items_per_s: round(m.matchItemsPerS),
    match_process_cpu_ms: round(m.matchCpuMs),
    match_server_cpu_ms: m.matchServerCpuMs === null ? null : round(m.matchServerCpuMs),
    // What the work costs whatever the host's other load: CPU per matched item (this
    // process and, when measured, the local server), and the items/s that would give
    // with every core of the machine busy on it and nothing lost between them.
    match_cpu_us_per_item: round(m.matchCpuUsPerItem),
    match_items_per_s_all_cores_busy: round(allCoresBusy(m.matchCpuUsPerItem)),
    // Summed over pages and lanes: with two lanes they add up to more than match_ms.
    match_parts_ms: Object.fromEntries([...m.matchTimings].map(([k, v]) => [k, round(v)])),
    batch_ms: round(m.submitMs + m.processMs),
    batch_items_per_s: round(perSecond(opts.items, m.submitMs + m.processMs)),
    operator_view_ms: round(m.viewMs),
    match_batches: runs.map((r) => ({
      batch_id: r.batchId,
      validate_items_per_s: round(perSecond(opts.items, r.validateMs)),
      match_items_per_s: round(r.matchItemsPerS),
      match_process_cpu_ms: round(r.matchCpuMs),
      match_server_cpu_ms: r.matchServerCpuMs === null ? null : round(r.matchServerCpuMs),
      match_cpu_us_per_item: round(r.matchCpuUsPerItem),
      rss_after_mib: round(r.rssAfter / MiB),
    })),
    ledger_events: LEDGER_EVENTS,
    ledger_appends_per_s: round(perSecond(LEDGER_EVENTS, ledgerMs)),
    rss_after_open_mib: round(rssAfterOpen / MiB),
    rss_after_import_mib: round(rssAfterImport / MiB),
    peak_rss_sampled_mib: round(peakSampled / MiB),
    max_rss_mib: round(maxRss / MiB),
  };
  const databaseServer = await databaseSettings(tg);
  const machine = {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    total_memory_mib: round(totalmem() / MiB, 0),
    free_memory_mib_at_end: round(freemem() / MiB, 0),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  const result = {
    benchmark: 'taxgate end-to-end',
    timestamp: new Date().toISOString(),
    database: opts.database,
    options: opts,
    machine,
    database_server: databaseServer,
    figures,
    batch: {
      id: m.batchId,
      state: m.state,
      batches: runs.length,
      items: tally.items,
      planned: tally.planned,
      outcomes: tally.outcomes,
      outcomes_by_category: tally.byCategory,
      reasons_by_category: tally.reasonsByCategory,
    },
  };

  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, JSON.stringify(result, null, 2) + '\n');

  const line = (label: string, value: string) => console.log(`  ${label.padEnd(26)} ${value}`);
  console.log(`\ntaxgate bench — ${opts.database}, ${result.timestamp}`);
  console.log(
    `machine: ${machine.cpus} cores (${machine.cpu_model}), node ${machine.node}, ${machine.platform}`,
  );
  console.log(
    `database: ${databaseServer.version}; ${Object.entries(databaseServer.settings)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  console.log(
    `\nimport (${nf.format(imported.rows)} returns, ${nf.format(store.taxpayers)} taxpayers)`,
  );
  line('open + migrate', fmtMs(openMs));
  line('import', `${fmtMs(importMs)} → ${nf.format(figures.import_returns_per_s)} returns/s`);
  if (runs.length > 1) {
    console.log(`\nmatch, batch by batch (${nf.format(opts.items)} items each)`);
    runs.forEach((r, i) =>
      line(
        `batch ${i + 1}${r === m ? ' (median)' : ''}`,
        `${nf.format(round(r.matchItemsPerS, 0))} items/s, ${nf.format(round(r.matchCpuUsPerItem))} µs of CPU per item, RSS ${nf.format(round(r.rssAfter / MiB, 0))} MiB after`,
      ),
    );
  }
  console.log(
    `\n${runs.length > 1 ? 'median batch' : 'batch'} (${nf.format(opts.items)} items, ${nf1.format(m.bodyBytes / MiB)} MiB signed)`,
  );
  line('build + sign (client)', fmtMs(m.buildSignMs));
  line('submit', `${fmtMs(m.submitMs)} → ${nf.format(figures.submit_items_per_s)} items/s`);
  line(
    'process (validate+match)',
    `${fmtMs(m.processMs)} → ${nf.format(figures.process_items_per_s)} items/s`,
  );
  line(
    '  validate (all items)',
    `${fmtMs(m.validateMs)} → ${nf.format(figures.validate_items_per_s)} items/s`,
  );
  line(
    '  match (valid items)',
    `${fmtMs(m.matchMs)} → ${nf.format(figures.match_items_per_s)} items/s`,
  );
  const lanes = opts.lanes ?? (opts.database === 'postgres' ? 2 : 1);
  line('    CPU of this process', fmtMs(m.matchCpuMs));
  if (m.matchServerCpuMs !== null) line('    CPU of PostgreSQL', fmtMs(m.matchServerCpuMs));
  line(
    '    CPU per item',
    `${nf.format(figures.match_cpu_us_per_item)} µs → at most ${nf.format(figures.match_items_per_s_all_cores_busy)} items/s with all ${machine.cpus} cores busy`,
  );
  console.log(`    parts of match${lanes > 1 ? ` (summed over ${lanes} lanes)` : ''}`);
  for (const [part, ms] of [...m.matchTimings].sort((a, b) => b[1] - a[1]))
    line(`      ${part}`, fmtMs(ms));
  line(
    'submit + process',
    `${fmtMs(figures.batch_ms)} → ${nf.format(figures.batch_items_per_s)} items/s`,
  );
  line('operator view', fmtMs(m.viewMs));
  line(
    'ledger appends',
    `${nf.format(LEDGER_EVENTS)} events in transactions of ${LEDGER_TX}: ${fmtMs(ledgerMs)} → ${nf.format(figures.ledger_appends_per_s)} events/s`,
  );
  console.log(`\noutcomes (${runs.length > 1 ? `${runs.length} batches` : `batch ${m.state}`})`);
  for (const [k, v] of Object.entries(tally.outcomes).sort()) line(k, nf.format(v));
  console.log('\noutcomes by what the item was built as');
  for (const cat of Object.keys(tally.byCategory) as Category[]) {
    const parts = Object.entries(tally.byCategory[cat])
      .sort()
      .map(([k, v]) => `${k} ${nf.format(v)}`);
    line(`${cat} (${nf.format(tally.planned[cat])})`, parts.join(', '));
    const reasons = Object.entries(tally.reasonsByCategory[cat])
      .sort()
      .map(([k, v]) => `${k} ${nf.format(v)}`);
    if (reasons.length > 0) line('  reasons', reasons.join(', '));
  }
  console.log('\nmemory');
  line('RSS after open', `${nf.format(figures.rss_after_open_mib)} MiB`);
  line('RSS after import', `${nf.format(figures.rss_after_import_mib)} MiB`);
  line('peak RSS (100 ms samples)', `${nf.format(figures.peak_rss_sampled_mib)} MiB`);
  line('max RSS (OS)', `${nf.format(figures.max_rss_mib)} MiB`);
  console.log(`\nwrote ${opts.out}`);
}

/**
 * The database's version and the settings that move the match figures: its buffer cache,
 * when it checkpoints (every checkpoint makes the next change to each page write the
 * whole page to the WAL), how commits wait, and parallel query. The same store on a
 * server configured otherwise is another measurement.
 */
async function databaseSettings(
  tg: Taxgate,
): Promise<{ version: string; settings: Record<string, string> }> {
  const names = [
    'shared_buffers',
    'work_mem',
    'max_wal_size',
    'checkpoint_timeout',
    'synchronous_commit',
    'max_parallel_workers_per_gather',
  ];
  const { rows } = await sql<{ name: string; setting: string }>`
    select name, current_setting(name) as setting from unnest(${names}::text[]) as name`.execute(
    tg.db,
  );
  const version = await sql<{ v: string }>`select version() as v`.execute(tg.db);
  return {
    version: version.rows[0]?.v.split(' on ')[0] ?? 'unknown',
    settings: Object.fromEntries(rows.map((r) => [r.name, r.setting])),
  };
}

/** The items/s `cpuUsPerItem` of CPU would give with every core of this machine busy on it. */
const allCoresBusy = (cpuUsPerItem: number) =>
  cpuUsPerItem > 0 ? (cpus().length * 1e6) / cpuUsPerItem : 0;

/** What one batch's submission and processing measured (runBatch). */
interface BatchRun {
  batchId: string;
  /** The batch's state once processed. */
  state: string;
  bodyBytes: number;
  buildSignMs: number;
  submitMs: number;
  processMs: number;
  validateMs: number;
  matchMs: number;
  matchItems: number;
  matchItemsPerS: number;
  matchCpuMs: number;
  matchServerCpuMs: number | null;
  matchCpuUsPerItem: number;
  matchTimings: MatchTimings;
  viewMs: number;
  /** Resident memory once the batch is done: growing batch after batch, something is kept. */
  rssAfter: number;
}

/** Outcomes counted over every batch (runBatch adds each batch's as it ends). */
interface OutcomeTally {
  items: number;
  planned: Record<Category, number>;
  outcomes: Record<string, number>;
  byCategory: Record<Category, Record<string, number>>;
  reasonsByCategory: Record<Category, Record<string, number>>;
}

function emptyTally(): OutcomeTally {
  const perCategory = () => ({ from_returns: {}, random_people: {}, invalid: {} });
  return {
    items: 0,
    planned: { from_returns: 0, random_people: 0, invalid: 0 },
    outcomes: {},
    byCategory: perCategory(),
    reasonsByCategory: perCategory(),
  };
}

/** Adds one batch's outcomes, by the category each item was built as. */
function addToTally(
  tally: OutcomeTally,
  items: readonly { request_id: string | null; outcome: string | null; reasons: string[] }[],
  categoryOf: ReadonlyMap<string, Category>,
): void {
  const add = (counts: Record<string, number>, key: string) =>
    (counts[key] = (counts[key] ?? 0) + 1);
  for (const cat of categoryOf.values()) tally.planned[cat]++;
  tally.items += items.length;
  for (const item of items) {
    const outcome = item.outcome ?? 'UNDECIDED';
    add(tally.outcomes, outcome);
    const cat = categoryOf.get(item.request_id ?? '');
    if (!cat) continue;
    add(tally.byCategory[cat], outcome);
    for (const reason of item.reasons) add(tally.reasonsByCategory[cat], reason);
  }
}

/**
 * Builds, signs, submits and processes batch number `batch`, with progress bars, reads
 * its outcomes back (the operator view) and adds them to the tally. Nothing of the
 * batch is kept past it, so the resident memory after it shows what the program keeps.
 */
async function runBatch(
  tg: Taxgate,
  opts: Options,
  input: {
    batch: number;
    sample: TaxpayerReturn[];
    officialId: string;
    privateKey: CryptoKey;
    tally: OutcomeTally;
  },
): Promise<BatchRun> {
  let t = performance.now();
  const { items, categoryOf } = buildItems(opts, input.sample, input.batch);
  const envelope = {
    agreement_id: AGREEMENT_ID,
    signed_by: input.officialId,
    submitted_at: new Date().toISOString(),
    items,
  };
  const body = Buffer.from(await signBatchEnvelope(envelope, input.privateKey));
  const buildSignMs = performance.now() - t;

  t = performance.now();
  const submitted = await tg.submitBatch(body);
  const submitMs = performance.now() - t;
  const bars = { validate: progress('validate'), match: progress('match') };
  const phase: { current: 'validate' | 'match' | null } = { current: null };
  const t2 = performance.now();
  const phaseStart = { validate: NaN, match: NaN };
  let matchItems = 0;
  const matchTimings: MatchTimings = new Map();
  let matchCpuStart: NodeJS.CpuUsage | undefined;
  const serverCpu = opts.database === 'postgres' ? localPostgresCpuMs : () => null;
  let serverCpuStart: number | null = null;
  await tg.processBatch(submitted.batch_id, {
    ...(opts.lanes ? { lanes: opts.lanes } : {}),
    matchTimings,
    onProgress: (p, done, total) => {
      if (done === 0) {
        phaseStart[p] = performance.now();
        if (p === 'match') {
          serverCpuStart = serverCpu();
          matchCpuStart = process.cpuUsage();
        }
      }
      if (p === 'match') matchItems = total;
      if (phase.current && phase.current !== p) bars[phase.current].end();
      phase.current = p;
      bars[p].update(done, total);
    },
  });
  const processMs = performance.now() - t2;
  // This process's CPU (user + system) over the match phase: against match_ms it shows
  // how busy this thread was; the database server's own CPU is not in it.
  const matchCpu = matchCpuStart ? process.cpuUsage(matchCpuStart) : { user: 0, system: 0 };
  const matchCpuMs = (matchCpu.user + matchCpu.system) / 1000;
  const serverCpuEnd = serverCpu();
  const matchServerCpuMs =
    serverCpuStart !== null && serverCpuEnd !== null ? serverCpuEnd - serverCpuStart : null;
  const matchMs = t2 + processMs - phaseStart.match;
  if (phase.current) bars[phase.current].end();

  t = performance.now();
  const view = await tg.operatorView(submitted.batch_id);
  const viewMs = performance.now() - t;
  addToTally(input.tally, view.items, categoryOf);
  return {
    batchId: submitted.batch_id,
    state: view.state,
    bodyBytes: body.length,
    buildSignMs,
    submitMs,
    processMs,
    validateMs: phaseStart.match - phaseStart.validate,
    matchMs,
    matchItems,
    matchItemsPerS: perSecond(matchItems, matchMs),
    matchCpuMs,
    matchServerCpuMs,
    matchCpuUsPerItem:
      matchItems > 0 ? ((matchCpuMs + (matchServerCpuMs ?? 0)) * 1000) / matchItems : 0,
    matchTimings,
    viewMs,
    rssAfter: process.memoryUsage().rss,
  };
}

await runTool('bench', USAGE, main);
