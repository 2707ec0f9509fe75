/**
 * The accounting a taxpayer may ask for and the yearly report to the Joint Committee on
 * Taxation (26 U.S.C. §6103(p)(3)), each recorded in the ledger as it is produced: looking
 * up whose returns were inspected is itself an access to be accounted for.
 */
import type { Kysely } from 'kysely';
import { appendEvents } from '../ledger/events.store.ts';
import type { Database } from '../storage/schema.ts';
import { tinSubject, type AccountingEntry, type JctReport } from './accounting.ts';
import { accountingFor, jctLines } from './accounting.store.ts';

/**
 * Every inspection and disclosure of one taxpayer, oldest first; records an
 * `accounting.viewed` entry naming the subject by its keyed hash only.
 * @throws InvalidInputError TIN_INVALID
 * @example await taxpayerAccounting(db, '123-45-6789', 'operator:ana', hash)
 */
export async function taxpayerAccounting(
  db: Kysely<Database>,
  tin: string,
  actor: string,
  subjectHash: (subject: string) => string,
): Promise<{ subject: string; entries: AccountingEntry[] }> {
  const subject = subjectHash(tinSubject(tin));
  return db.transaction().execute(async (trx) => {
    const entries = await accountingFor(trx, subject);
    await appendEvents(trx, [
      { type: 'accounting.viewed', actor, payload: { subject, entries: entries.length } },
    ]);
    return { subject, entries };
  });
}

/**
 * The report for one calendar year (UTC), recorded as a `report.jct` entry.
 * @example const report = await jctReport(db, 2026, 'operator:ana')
 */
export async function jctReport(
  db: Kysely<Database>,
  year: number,
  actor: string,
  now: Date = new Date(),
): Promise<JctReport> {
  return db.transaction().execute(async (trx) => {
    const agencies = await jctLines(trx, year);
    await appendEvents(trx, [
      { type: 'report.jct', actor, payload: { year, agencies: agencies.length } },
    ]);
    return {
      format: 'taxgate-jct-report/1' as const,
      year,
      generated_at: now.toISOString(),
      agencies,
    };
  });
}
