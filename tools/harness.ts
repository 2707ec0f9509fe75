/**
 * What the measuring commands share — `npm run bench` (bench/bench.ts) and the
 * evaluations (eval/*.ts): option checks, progress on stderr, clean-up on success,
 * failure or Ctrl-C, scratch databases on a PostgreSQL server, the returns CSV the
 * store is imported from, and the agreement their batches are submitted under.
 * They are tools around the product, not part of it: nothing in src/ imports this.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import pg from 'pg';
import type { Taxgate } from '../src/app.ts';
import { generateEd25519KeyPair, importPrivateJwk } from '../src/auth/keys.ts';
import type { AgreementDocument } from '../src/policy/agreement.ts';
import { addDays } from '../src/policy/item-rules.ts';
import { dropServerDatabase } from '../src/storage/db.ts';
import { toCsvLine } from '../src/taxpayers/synthetic.ts';
import { TAXPAYER_COLUMNS, type TaxpayerReturn } from '../src/taxpayers/taxpayer-row.ts';

/** A bad command line: printed with the usage text, exit code 1. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Where a tool runs taxgate: embedded PGlite, or the DATABASE_URL server. */
export type DatabaseKind = 'pglite' | 'postgres';

/** Whole numbers with thousands separators. @example nf.format(18000) // '18,000' */
export const nf = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
/** A rate per second. @example perSecond(18000, 2000) // 9000 */
export const perSecond = (n: number, ms: number) => (ms > 0 ? (n * 1000) / ms : 0);
/** A line on stderr: progress and notes stay out of the printed results. @example note('bench: store kept') */
export const note = (s: string) => process.stderr.write(`${s}\n`);

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/**
 * A measuring command's options, parsed strictly (no positionals, no unknown option);
 * `-h`/`--help` prints `usage` and exits 0. Values stay strings for the checks below.
 * @example const values = commandOptions(argv, USAGE, { seed: { type: 'string' } })
 */
export function commandOptions<O extends Options>(argv: string[], usage: string, options: O) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: { ...options, ...HELP } as O & typeof HELP,
  });
  if ((values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  return values;
}

/**
 * An integer option ≥ `min` (underscores allowed: 1_000_000), or `dflt` when absent.
 * @example integerOption('items', '20_000', 10_000, 1) // 20000
 */
export function integerOption(
  name: string,
  value: string | undefined,
  dflt: number,
  min: number,
): number {
  if (value === undefined) return dflt;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${name} must be an integer ≥ ${min}, not '${value}'`);
  }
  return n;
}

/** `--database`: pglite (the default) or postgres. @example databaseOption(undefined) // 'pglite' */
export function databaseOption(value: string | undefined): DatabaseKind {
  const database = value ?? 'pglite';
  if (database !== 'pglite' && database !== 'postgres') {
    throw new UsageError(`--database must be pglite or postgres, not '${value}'`);
  }
  return database;
}

/**
 * Progress on stderr, with items per second since it started: rewritten in place on a
 * terminal, a line every few seconds otherwise (a CI log).
 * @example const bar = progress('import'); bar.update(500, 1000); bar.end()
 */
export function progress(label: string) {
  const tty = process.stderr.isTTY;
  const start = performance.now();
  let last = -Infinity;
  return {
    update(done: number, total: number) {
      const now = performance.now();
      if (!tty && now - last < 3000 && done < total) return;
      last = now;
      const share = total > 0 ? ` (${Math.floor((done / total) * 100)}%)` : '';
      const rate = nf.format(perSecond(done, now - start));
      const text = `  ${label}: ${nf.format(done)}/${nf.format(total)}${share}, ${rate}/s`;
      process.stderr.write(tty ? `\r${text}\x1b[K` : `${text}\n`);
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}

/**
 * Runs a tool's `main` with clean-up steps that run once, last registered first, on
 * success, on failure and on SIGINT/SIGTERM (temporary folders and databases never
 * outlive the run). Reports a failure under the tool's name, a usage error with the
 * usage text, and sets exit code 1.
 * @example await runTool('bench', USAGE, async (cleanups) => { … })
 */
export async function runTool(
  name: string,
  usage: string,
  main: (cleanups: Cleanups) => Promise<void>,
  /** The message of an error the tool expects (missing input data), else null. */
  expected: (err: unknown) => string | null = () => null,
): Promise<void> {
  const cleanups = new Cleanups(name);
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    note(`\n${name}: ${signal}, cleaning up`);
    void cleanups.run().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await main(cleanups);
  } catch (err) {
    const known = expected(err);
    if (interrupted) {
      // The signal handler reports and cleans up; the error is only the interruption's echo.
    } else if (known !== null) {
      console.error(`${name}: ${known}`);
    } else if (
      err instanceof UsageError ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      console.error(`${name}: ${(err as Error).message}\n\n${usage}`);
    } else {
      console.error(`${name}: failed:`, err);
    }
    process.exitCode = 1;
  } finally {
    await cleanups.run();
  }
}

/** Clean-up steps of one run (see runTool). @example cleanups.add('close taxgate', () => tg.close()) */
export class Cleanups {
  private readonly steps: { what: string; run: () => Promise<void> }[] = [];
  private running: Promise<void> | null = null;

  constructor(private readonly tool: string) {}

  add(what: string, run: () => Promise<void>): void {
    this.steps.push({ what, run });
  }

  /** Runs every step once; a step that fails is reported and the others still run. */
  run(): Promise<void> {
    this.running ??= (async () => {
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        try {
          await step.run();
        } catch (err) {
          note(`${this.tool}: cleanup failed (${step.what}): ${(err as Error).message}`);
        }
      }
    })();
    return this.running;
  }
}

/**
 * DATABASE_URL, the server `--database postgres` makes its scratch databases on.
 * @example new pg.Client({ connectionString: adminDatabaseUrl() })
 */
export function adminDatabaseUrl(): string {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    throw new UsageError('--database postgres needs DATABASE_URL (postgres://user:pass@host/db)');
  }
  return adminUrl;
}

/** Runs `work` on a connection to the DATABASE_URL server, then closes it. @example await withAdmin((admin) => admin.query('select 1')) */
export async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/**
 * A fresh database `<prefix>_<pid>_<random>` on the DATABASE_URL server (a copy of
 * `template` when given), dropped at clean-up; returns its URL.
 * @example const url = await scratchDatabase(cleanups, 'taxgate_eval')
 */
export async function scratchDatabase(
  cleanups: Cleanups,
  prefix: string,
  template?: string,
): Promise<string> {
  const adminUrl = adminDatabaseUrl();
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await withAdmin((admin) =>
    admin.query(
      `create database ${name}${template ? ` template ${admin.escapeIdentifier(template)}` : ''}`,
    ),
  );
  cleanups.add(`drop database ${name}`, () => dropServerDatabase(adminUrl, name));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  note(`created database ${name} on ${url.host}`);
  return url.toString();
}

/**
 * Writes returns as the CSV `taxgate taxpayers import` reads, with progress; `total`
 * is what the progress counts towards. Returns the bytes written.
 * @example await writeReturnsCsv(join(tmp, 'returns.csv'), store.returns, store.returns.length)
 */
export async function writeReturnsCsv(
  path: string,
  returns: Iterable<TaxpayerReturn>,
  total: number,
  label = 'write CSV',
): Promise<number> {
  const out = createWriteStream(path);
  const bar = progress(label);
  let buffer: string[] = [TAXPAYER_COLUMNS.join(',')];
  let written = 0;
  for (const r of returns) {
    buffer.push(toCsvLine(r));
    written++;
    if (buffer.length >= 2000) {
      if (!out.write(buffer.join('\n') + '\n')) await once(out, 'drain');
      buffer = [];
      bar.update(written, total);
    }
  }
  if (buffer.length > 0) out.write(buffer.join('\n') + '\n');
  out.end();
  await once(out, 'finish');
  bar.update(written, total);
  bar.end();
  return out.bytesWritten;
}

/**
 * The agreement a tool's batch is submitted under: in force from 30 days ago, one
 * statute, signed by an agency head, large enough for the batch.
 * @example toolAgreement({ id: 'bench-ice', requestingAgency: 'DHS/ICE (benchmark)', statute, items: 20000 })
 */
export function toolAgreement(input: {
  id: string;
  requestingAgency: string;
  statute: string;
  items: number;
}): AgreementDocument {
  const today = new Date().toISOString().slice(0, 10);
  return {
    id: input.id,
    requesting_agency: input.requestingAgency,
    effective_from: addDays(today, -30),
    expires_at: addDays(today, 300),
    statutes: [input.statute],
    signatory_roles: ['agency_head'],
    departure_period_days: 90,
    max_batch_items: Math.max(1000, input.items),
    duplicate_window_days: 180,
    retention_days: 365,
    release_approvals: 1,
  };
}

/**
 * Applies a tool's agreement and registers its agency head with a fresh Ed25519 key:
 * the official's id and private key, to sign the tool's batches with.
 * @example const head = await toolOfficial(tg, toolAgreement({ … }), 'Bench Head', 'admin:bench')
 */
export async function toolOfficial(
  tg: Taxgate,
  agreement: AgreementDocument,
  name: string,
  actor: string,
): Promise<{ officialId: string; privateKey: CryptoKey }> {
  await tg.applyAgreement(agreement, actor);
  const keys = await generateEd25519KeyPair();
  const privateKey = await importPrivateJwk(keys.privateJwk, `${name}'s key`);
  const { id: officialId } = await tg.addOfficial(
    { agreement_id: agreement.id, name, role: 'agency_head', public_jwk: keys.publicJwk },
    actor,
  );
  return { officialId, privateKey };
}
