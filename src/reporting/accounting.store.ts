import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '../storage/schema.ts';
import {
  accountingDigest,
  inspectionRecords,
  requestsDigest,
  type AccountingEntry,
  type JctAgencyLine,
  type ProposalInspections,
} from './accounting.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Records the returns a match page inspected, in the page's transaction (so the outcome,
 * its accounting and its ledger entry commit together), and returns what the page's
 * `items.matched` entry says of them: how many distinct returns, how many rows, and
 * their digest (never the subjects themselves: a page can inspect thousands).
 * @example const accounting = await recordInspections(trx, { batchId, subjectHash, items: page, proposals })
 */
export async function recordInspections(
  trx: Transaction<Database>,
  input: {
    batchId: string;
    /** Required as soon as a return was inspected: the accounting fails closed without it. */
    subjectHash: ((subject: string) => string) | undefined;
    items: readonly { position: number; item: unknown }[];
    proposals: readonly ProposalInspections[];
  },
): Promise<{
  returns_inspected: number;
  inspections: number;
  inspections_sha256: string;
  inspection_requests_sha256: string;
}> {
  const { subjectHash } = input;
  const { inspections: rows, requests } = inspectionRecords(
    input.items,
    input.proposals,
    (subject) => {
      if (!subjectHash)
        throw new Error('recordInspections needs the subject key to account for inspections');
      return subjectHash(subject);
    },
  );
  if (rows.length > 0) {
    // One JSON document, not one array per column: a page inspects tens of thousands of
    // returns, and on PGlite every array element costs more than its bytes
    // (docs/scaling.md). No "on conflict": the page writes only items it just gave an
    // outcome, and a second request row for an item fails the page (its primary key).
    await sql`
      insert into inspection_requests (batch_id, position, request_id, statute, reason)
      select ${input.batchId}, r.position, r.request_id, r.statute, r.reason
        from json_to_recordset(${JSON.stringify(requests)}::json)
          as r(position int, request_id text, statute text, reason text)`.execute(trx);
    await sql`
      insert into inspections (batch_id, position, subject_hash, best)
      select ${input.batchId}, r.p, r.h, r.b
        from json_to_recordset(${JSON.stringify(rows.map((r) => ({ p: r.position, h: r.subject_hash, b: r.best })))}::json)
          as r(p int, h text, b boolean)`.execute(trx);
  }
  return {
    returns_inspected: new Set(rows.map((r) => r.subject_hash)).size,
    inspections: rows.length,
    inspections_sha256: accountingDigest(rows),
    inspection_requests_sha256: requestsDigest(requests),
  };
}

/**
 * Records, in the release transaction, the return information a release discloses: for
 * each CONFIRMED item, the subject it confirms (the engine's top candidate). NOT_CONFIRMED
 * and rejections say nothing about any return, so they disclose none. Returns what the
 * `batch.released` entry says of them.
 * @example const accounting = await recordDisclosures(trx, batchId)
 */
export async function recordDisclosures(
  trx: Transaction<Database>,
  batchId: string,
): Promise<{ disclosures: number; disclosures_sha256: string }> {
  const { rows } = await disclosuresInsert(batchId).execute(trx);
  return { disclosures: rows.length, disclosures_sha256: accountingDigest(rows) };
}

/**
 * The statement recordDisclosures runs. Each best inspection's outcome is looked up by
 * its key, (batch, position), one probe each (`offset 0` keeps the subquery from
 * becoming a join), as undecidedItemsQuery in intake/batches.store.ts says why.
 */
export function disclosuresInsert(
  batchId: string,
): RawBuilder<{ position: number; subject_hash: string }> {
  return sql`
    insert into disclosures (batch_id, position, subject_hash, result)
    select i.batch_id, i.position, i.subject_hash, 'CONFIRMED'
      from inspections i
     where i.batch_id = ${batchId} and i.best
       and exists (select from item_outcomes o
                    where o.batch_id = i.batch_id and o.position = i.position
                      and o.outcome = 'CONFIRMED' offset 0)
    on conflict do nothing
    returning position, subject_hash`;
}

const iso = (v: Date | string) => new Date(v).toISOString();

/**
 * Every inspection and disclosure of one subject, oldest first.
 * @example await accountingFor(db, subjectHash(key, 'tin:123456789'))
 */
export async function accountingFor(db: Db, subject: string): Promise<AccountingEntry[]> {
  // The entry as the drivers give it: a timestamp may come back as a Date.
  const { rows } = await sql<Omit<AccountingEntry, 'at'> & { at: Date | string }>`
    select 'inspection' as kind, r.inspected_at as at, b.requesting_agency, b.agreement_id,
           r.statute, r.reason, r.request_id, i.batch_id, null::text as result
      from inspections i
      join inspection_requests r on r.batch_id = i.batch_id and r.position = i.position
      join batches b on b.id = i.batch_id
     where i.subject_hash = ${subject}
    union all
    select 'disclosure', d.disclosed_at, b.requesting_agency, b.agreement_id,
           r.statute, r.reason, r.request_id, d.batch_id, d.result
      from disclosures d
      join inspection_requests r on r.batch_id = d.batch_id and r.position = d.position
      join batches b on b.id = d.batch_id
     where d.subject_hash = ${subject}
     order by at, kind desc, batch_id, request_id`.execute(db);
  return rows.map((r) => ({ ...r, at: iso(r.at) }));
}

/**
 * Per requesting agency, what the year's report to the Joint Committee on Taxation counts
 * (see JctAgencyLine), from the batches and the accounting tables; times are UTC.
 * @example await jctLines(db, 2026)
 */
export async function jctLines(db: Db, year: number): Promise<JctAgencyLine[]> {
  const from = `${year}-01-01T00:00:00Z`;
  const to = `${year + 1}-01-01T00:00:00Z`;
  const num = (v: unknown) => Number(v ?? 0);
  const batches = await sql<{ agency: string; batches: string; requests: string }>`
    select requesting_agency as agency, count(*) as batches,
           coalesce(sum(case when state <> 'rejected' then item_count else 0 end), 0) as requests
      from batches
     where requesting_agency is not null
       and received_at >= ${from}::timestamptz and received_at < ${to}::timestamptz
     group by requesting_agency`.execute(db);
  const inspected = await sql<{ agency: string; inspections: string; taxpayers: string }>`
    select b.requesting_agency as agency, count(*) as inspections,
           count(distinct i.subject_hash) as taxpayers
      from inspection_requests r
      join inspections i on i.batch_id = r.batch_id and i.position = r.position
      join batches b on b.id = r.batch_id
     where r.inspected_at >= ${from}::timestamptz and r.inspected_at < ${to}::timestamptz
     group by b.requesting_agency`.execute(db);
  const disclosed = await sql<{ agency: string; disclosures: string; taxpayers: string }>`
    select b.requesting_agency as agency, count(*) as disclosures,
           count(distinct d.subject_hash) as taxpayers
      from disclosures d join batches b on b.id = d.batch_id
     where d.disclosed_at >= ${from}::timestamptz and d.disclosed_at < ${to}::timestamptz
     group by b.requesting_agency`.execute(db);
  const statutes = await sql<{
    agency: string;
    statute: string;
    requests: string;
    inspections: string;
  }>`
    select b.requesting_agency as agency, r.statute,
           count(distinct r.batch_id || ':' || r.position) as requests, count(*) as inspections
      from inspection_requests r
      join inspections i on i.batch_id = r.batch_id and i.position = r.position
      join batches b on b.id = r.batch_id
     where r.inspected_at >= ${from}::timestamptz and r.inspected_at < ${to}::timestamptz
     group by b.requesting_agency, r.statute
     order by b.requesting_agency, r.statute`.execute(db);

  const lines = new Map<string, JctAgencyLine>();
  const line = (agency: string) => {
    let l = lines.get(agency);
    if (!l) {
      l = {
        requesting_agency: agency,
        batches: 0,
        requests: 0,
        inspections: 0,
        disclosures: 0,
        taxpayers_inspected: 0,
        taxpayers_disclosed: 0,
        statutes: [],
      };
      lines.set(agency, l);
    }
    return l;
  };
  for (const r of batches.rows)
    Object.assign(line(r.agency), { batches: num(r.batches), requests: num(r.requests) });
  for (const r of inspected.rows) {
    Object.assign(line(r.agency), {
      inspections: num(r.inspections),
      taxpayers_inspected: num(r.taxpayers),
    });
  }
  for (const r of disclosed.rows) {
    Object.assign(line(r.agency), {
      disclosures: num(r.disclosures),
      taxpayers_disclosed: num(r.taxpayers),
    });
  }
  for (const r of statutes.rows) {
    line(r.agency).statutes.push({
      statute: r.statute,
      requests: num(r.requests),
      inspections: num(r.inspections),
    });
  }
  return [...lines.values()].sort((a, b) => (a.requesting_agency < b.requesting_agency ? -1 : 1));
}

/**
 * What `checkAccountingDigests` found: how many ledger entries' digests it recomputed, or
 * the first entry whose accounting rows no longer give the digest it recorded.
 * @example const c: AccountingCheck = await checkAccountingDigests(db)
 */
export type AccountingCheck =
  { ok: true; pages: number; releases: number } | { ok: false; index: number; message: string };

/**
 * Recomputes, for every `items.matched` and `batch.released` entry that recorded one, the
 * digest of its accounting rows from the tables, so `ledger verify` sees an inspection or
 * disclosure row added, changed or removed since (entries from before migration 0005 have
 * no digest and are skipped). Call it after the entries themselves verified.
 * @example const c = await checkAccountingDigests(db); if (!c.ok) console.error(c.message)
 */
export async function checkAccountingDigests(db: Db): Promise<AccountingCheck> {
  const { rows: entries } = await sql<{
    index: string;
    type: string;
    batch_id: string;
    payload: Record<string, unknown>;
  }>`
    select leaf_index::text as index, type, batch_id, payload from events
     where (type = 'items.matched' and payload ? 'inspections_sha256')
        or (type = 'batch.released' and payload ? 'disclosures_sha256')
     order by leaf_index`.execute(db);
  let pages = 0;
  let releases = 0;
  for (const e of entries) {
    const at = `ledger entry ${e.index}`;
    if (e.type === 'items.matched') {
      const first = Number(e.payload.first_position);
      const last = Number(e.payload.last_position);
      const rows = await db
        .selectFrom('inspections')
        .select(['position', 'subject_hash'])
        .where('batch_id', '=', e.batch_id)
        .where('position', '>=', first)
        .where('position', '<=', last)
        .execute();
      if (
        accountingDigest(rows) !== e.payload.inspections_sha256 ||
        rows.length !== Number(e.payload.inspections)
      ) {
        return {
          ok: false,
          index: Number(e.index),
          message: `${at}: the inspections of batch ${e.batch_id}, positions ${first} to ${last}, no longer give its inspections_sha256: the accounting was changed`,
        };
      }
      // Entries from before the requests had their own table carry no requests digest.
      if (typeof e.payload.inspection_requests_sha256 === 'string') {
        const requests = await db
          .selectFrom('inspection_requests')
          .select(['position', 'request_id', 'statute', 'reason'])
          .where('batch_id', '=', e.batch_id)
          .where('position', '>=', first)
          .where('position', '<=', last)
          .execute();
        if (requestsDigest(requests) !== e.payload.inspection_requests_sha256) {
          return {
            ok: false,
            index: Number(e.index),
            message: `${at}: the inspection requests of batch ${e.batch_id}, positions ${first} to ${last}, no longer give its inspection_requests_sha256: the accounting was changed`,
          };
        }
      }
      pages++;
    } else {
      const rows = await db
        .selectFrom('disclosures')
        .select(['position', 'subject_hash'])
        .where('batch_id', '=', e.batch_id)
        .execute();
      if (
        accountingDigest(rows) !== e.payload.disclosures_sha256 ||
        rows.length !== Number(e.payload.disclosures)
      ) {
        return {
          ok: false,
          index: Number(e.index),
          message: `${at}: the disclosures of batch ${e.batch_id} no longer give its disclosures_sha256: the accounting was changed`,
        };
      }
      releases++;
    }
  }
  return { ok: true, pages, releases };
}
