import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { Kysely } from 'kysely';
import { InvalidInputError } from '../errors.ts';
import type { Database } from '../storage/schema.ts';
import {
  parseTaxpayerRow,
  TAXPAYER_COLUMNS,
  type RowProblem,
  type TaxpayerReturn,
} from './taxpayer-row.ts';
import { upsertReturns } from './taxpayers.store.ts';
import { tidyMatchingIndex } from '../matching/engine.store.ts';

export interface ImportSummary {
  rows: number;
  loaded: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** The first problems found (at most `maxProblems`); `rejected` counts them all. */
  problems: RowProblem[];
}

export interface ImportOptions {
  actor: string;
  chunkSize?: number;
  maxProblems?: number;
  /** Called after each chunk is committed with the rows read so far. */
  onProgress?: (rowsRead: number) => void;
  /** Called for every rejected row as it is found. */
  onProblem?: (p: RowProblem) => void;
  currentYear?: number;
}

/**
 * Streams a taxpayer returns CSV into the store in chunks: memory stays flat
 * however large the file. Good rows load while bad ones are reported with their
 * line number and reason; each chunk commits on its own, so an interrupted
 * import is finished by running it again (rows are keyed by tin + tax_year).
 * @example await importTaxpayerReturns(db, createReadStream('returns.csv'), { actor: 'cli' })
 */
export async function importTaxpayerReturns(
  db: Kysely<Database>,
  input: Readable,
  opts: ImportOptions,
): Promise<ImportSummary> {
  const chunkSize = opts.chunkSize ?? 2000;
  const maxProblems = opts.maxProblems ?? 1000;
  const currentYear = opts.currentYear ?? new Date().getUTCFullYear();
  const summary: ImportSummary = {
    rows: 0,
    loaded: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    problems: [],
  };
  const problem = (p: RowProblem) => {
    summary.rejected++;
    if (summary.problems.length < maxProblems) summary.problems.push(p);
    opts.onProblem?.(p);
  };

  const parser = input.pipe(
    parse({
      bom: true,
      columns: (header: string[]) => checkHeader(header),
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err) => {
        if (err) {
          summary.rows++;
          problem({
            line: (err as { lines?: number }).lines ?? 0,
            reason: 'malformed CSV: ' + err.code,
          });
        }
      },
    }),
  );
  input.on('error', (err) => parser.destroy(err));

  let chunk: TaxpayerReturn[] = [];
  const flush = async () => {
    const counts = await upsertReturns(db, chunk, opts.actor);
    summary.loaded += chunk.length;
    summary.inserted += counts.inserted;
    summary.updated += counts.updated;
    summary.unchanged += counts.unchanged;
    chunk = [];
    opts.onProgress?.(summary.rows);
  };

  for await (const { record, info } of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number; invalid_field_length: number };
  }>) {
    summary.rows++;
    if (info.invalid_field_length > 0) {
      problem({ line: info.lines, reason: `expected ${TAXPAYER_COLUMNS.length} columns` });
      continue;
    }
    const row = parseTaxpayerRow(record, currentYear);
    if (typeof row === 'string') problem({ line: info.lines, reason: row });
    else chunk.push(row);
    if (chunk.length >= chunkSize) await flush();
  }
  await flush();
  if (summary.inserted + summary.updated > 0) await tidyMatchingIndex(db);
  // The parser reports malformed records as it meets them, ahead of the rows before them.
  summary.problems.sort((a, b) => a.line - b.line);
  return summary;
}

function checkHeader(header: string[]): string[] {
  const cleaned = header.map((h) => h.trim().toLowerCase());
  const missing = TAXPAYER_COLUMNS.filter((c) => !cleaned.includes(c));
  if (missing.length > 0) {
    throw new InvalidInputError(
      'CSV_HEADER_INVALID',
      `the header line lacks column(s) ${missing.join(', ')}; expected ${TAXPAYER_COLUMNS.join(',')}`,
    );
  }
  return cleaned;
}
