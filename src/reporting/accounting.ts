/**
 * The accounting of 26 U.S.C. §6103(p)(3)(A), as pure logic (docs/ledger.md §Accounting):
 * which rows a match page writes, the digest the ledger keeps of them, and the shape of
 * the yearly report to the Joint Committee on Taxation. The SQL is in accounting.store.ts.
 *
 * Subjects are keyed hashes (`subjectHash('tin:' + tin)`, src/ledger/subject.ts): the
 * accounting tables, like the ledger, never hold a TIN. Whoever holds the subject key
 * finds a taxpayer's rows by hashing the TIN they are asked about.
 */
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors.ts';

/**
 * One inspection: a return read to answer one request item.
 * @example const row: InspectionRow = { position: 3, subject_hash, best: true }
 */
export interface InspectionRow {
  position: number;
  subject_hash: string;
  /** The engine's top candidate: the subject a CONFIRMED answer is about. */
  best: boolean;
}

/**
 * The request an item's inspections answered, once per item that read a return: the
 * statute and reason are copied from it because they must outlive the request's purge.
 * @example const r: InspectionRequest = { position: 3, request_id: 'r-3', statute, reason }
 */
export interface InspectionRequest {
  position: number;
  request_id: string | null;
  statute: string;
  reason: string;
}

/**
 * What the engine proposed for one item, as far as the accounting needs it.
 * @example const p: ProposalInspections = { position: 3, inspected: ['000000001'], evidence: { c: [['000000001']] } }
 */
export interface ProposalInspections {
  position: number;
  /** TINs whose returns were read. */
  inspected: string[];
  /**
   * The engine's evidence: its candidates, the one the decision chose first, each led by
   * its TIN.
   */
  evidence: { c: readonly (readonly [string, ...unknown[]])[] };
}

/**
 * The typed, normalised subject value of a TIN: `tin:` and nine digits.
 * @throws InvalidInputError TIN_INVALID (the message never repeats the input)
 * @example tinSubject('123-45-6789') // 'tin:123456789'
 */
export function tinSubject(tin: string): string {
  const digits = String(tin).replace(/[\s-]/g, '');
  if (!/^[0-9]{9}$/.test(digits)) {
    throw new InvalidInputError('TIN_INVALID', 'a TIN is nine digits (dashes and spaces allowed)');
  }
  return `tin:${digits}`;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * The accounting rows of one match page: an inspection per (item, return read), and the
 * request of each item that read one.
 * @example inspectionRecords(page, proposals, (v) => subjectHash(key, v))
 */
export function inspectionRecords(
  items: readonly { position: number; item: unknown }[],
  proposals: readonly ProposalInspections[],
  hash: (subject: string) => string,
): { inspections: InspectionRow[]; requests: InspectionRequest[] } {
  const byPosition = new Map(
    items.map((i) => [i.position, (i.item ?? {}) as Record<string, unknown>]),
  );
  const inspections: InspectionRow[] = [];
  const requests: InspectionRequest[] = [];
  for (const p of proposals) {
    const read = new Set(p.inspected);
    if (read.size === 0) continue;
    const request = byPosition.get(p.position) ?? {};
    requests.push({
      position: p.position,
      request_id: typeof request.request_id === 'string' ? request.request_id : null,
      statute: text(request.statute),
      reason: text(request.reason),
    });
    const best = p.evidence.c[0]?.[0];
    for (const tin of read) {
      inspections.push({
        position: p.position,
        subject_hash: hash(tinSubject(tin)),
        best: tin === best,
      });
    }
  }
  return { inspections, requests };
}

/**
 * The digest the ledger keeps of accounting rows: SHA-256, base64url, over the lines
 * `<position> <subject_hash>\n` sorted by position, then hash. Anyone with the table and
 * the ledger recomputes it per page (or per release) and sees a row added or removed.
 * @example accountingDigest(rows) // '3q2-7w…' (43 characters)
 */
export function accountingDigest(
  rows: readonly { position: number; subject_hash: string }[],
): string {
  const lines = rows
    .map((r) => ({ p: r.position, h: r.subject_hash }))
    .sort((a, b) => a.p - b.p || (a.h < b.h ? -1 : a.h > b.h ? 1 : 0))
    .map((r) => `${r.p} ${r.h}\n`)
    .join('');
  return createHash('sha256').update(lines, 'utf8').digest('base64url');
}

/**
 * The digest the ledger keeps of a page's inspection requests (the purpose of each item's
 * inspections): SHA-256, base64url, over one JSON line `[position, request_id, statute,
 * reason]` per row, sorted by position. A request row deleted or changed would take the
 * item's inspections out of the accounting or change their purpose: `ledger verify`
 * recomputes it like the inspections' digest.
 * @example requestsDigest([{ position: 3, request_id: 'r-3', statute: 'S', reason: 'why' }]) // 43 characters
 */
export function requestsDigest(rows: readonly InspectionRequest[]): string {
  const lines = [...rows]
    .sort((a, b) => a.position - b.position)
    .map((r) => JSON.stringify([r.position, r.request_id, r.statute, r.reason]) + '\n')
    .join('');
  return createHash('sha256').update(lines, 'utf8').digest('base64url');
}

/**
 * One line of a taxpayer's accounting.
 * @example const e: AccountingEntry = { kind: 'inspection', at: '2026-…Z', requesting_agency: 'DHS/ICE', … }
 */
export interface AccountingEntry {
  kind: 'inspection' | 'disclosure';
  at: string;
  requesting_agency: string | null;
  agreement_id: string | null;
  statute: string;
  reason: string;
  request_id: string | null;
  batch_id: string;
  /** For a disclosure, the result released (CONFIRMED). */
  result: string | null;
}

/**
 * One agency's line of the yearly report to the Joint Committee on Taxation.
 * @example const line: JctAgencyLine = { requesting_agency: 'DHS/ICE', batches: 2, requests: 40, … }
 */
export interface JctAgencyLine {
  requesting_agency: string;
  /** Batches received in the year (refused ones included). */
  batches: number;
  /** Request items received in the year, in batches that were not refused whole. */
  requests: number;
  /** Returns inspected (one per item and return read). */
  inspections: number;
  /** Returns disclosed by releases in the year. */
  disclosures: number;
  taxpayers_inspected: number;
  taxpayers_disclosed: number;
  /** Purposes: each statute cited, with the request items and inspections under it. */
  statutes: { statute: string; requests: number; inspections: number }[];
}

/**
 * The yearly report (format `taxgate-jct-report/1`, docs/formats.md#jct-report).
 * @example const r: JctReport = { format: 'taxgate-jct-report/1', year: 2026, generated_at, agencies: [] }
 */
export interface JctReport {
  format: 'taxgate-jct-report/1';
  year: number;
  generated_at: string;
  agencies: JctAgencyLine[];
}

/**
 * The year argument of the report, checked.
 * @throws InvalidInputError YEAR_INVALID
 * @example reportYear('2026') // 2026
 */
export function reportYear(value: unknown): number {
  const year = Number(value);
  if (!Number.isInteger(year) || year < 2000 || year > 9999 || !/^[0-9]{4}$/.test(String(value))) {
    throw new InvalidInputError('YEAR_INVALID', 'the year is four digits, e.g. 2026');
  }
  return year;
}

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * The report as CSV: one line per agency, statutes as `statute=requests` joined by `;`.
 * @example jctReportCsv(report).split('\n')[0] // 'year,requesting_agency,batches,…'
 */
export function jctReportCsv(report: JctReport): string {
  const header = [
    'year',
    'requesting_agency',
    'batches',
    'requests',
    'inspections',
    'disclosures',
    'taxpayers_inspected',
    'taxpayers_disclosed',
    'statutes',
  ];
  const lines = report.agencies.map((a) =>
    [
      report.year,
      a.requesting_agency,
      a.batches,
      a.requests,
      a.inspections,
      a.disclosures,
      a.taxpayers_inspected,
      a.taxpayers_disclosed,
      a.statutes.map((s) => `${s.statute}=${s.requests}`).join(';'),
    ]
      .map(csvCell)
      .join(','),
  );
  return [header.join(','), ...lines].join('\n') + '\n';
}
