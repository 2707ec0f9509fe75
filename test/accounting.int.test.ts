import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Taxgate } from '../src/app.ts';
import { processBatch } from '../src/intake/pipeline.ts';
import { listEvents } from '../src/ledger/events.store.ts';
import { accountingDigest } from '../src/reporting/accounting.ts';
import { buildServer } from '../src/server/server.ts';
import { openDatabase, pgliteDir } from '../src/storage/db.ts';
import type { Database } from '../src/storage/schema.ts';
import {
  addTestOfficial,
  buildAgreement,
  buildItem,
  MARIA_RETURN,
  envelope,
  returnsCsv,
  signEnvelope,
} from './support/builders.ts';
import { runCli } from './support/cli.ts';
import { openTestTaxgate, TEST_DATABASES, type TestEnv } from './support/databases.ts';

const returns = [
  MARIA_RETURN,
  // Maria's household: read for every request at her address (so an item inspects two
  // returns), never confirmed in her place.
  ['000000003', '2024', 'Pedro', '', 'Ruiz', '123 Main Street', '', 'Houston', 'TX', '77001', ''],
  [
    '000000002',
    '2024',
    'John',
    '',
    'Smith',
    '9 Elm Street',
    '',
    'Austin',
    'TX',
    '78701',
    '1970-05-05',
  ],
];
async function submit(tg: Taxgate, agreementId: string, items: unknown[]) {
  const { id, keys } = await addTestOfficial(tg, agreementId, 'operator:test');
  const jws = await signEnvelope(envelope(agreementId, id, items), keys.privateKey);
  return (await tg.submitBatch(Buffer.from(jws))).batch_id;
}

for (const kind of TEST_DATABASES) {
  describe(`the accounting on ${kind}`, () => {
    let tg: Taxgate;
    let env: TestEnv;
    let done: () => Promise<void>;
    let ice: string;
    let other: string;
    const year = new Date().getUTCFullYear();

    beforeAll(async () => {
      ({ tg, env, done } = await openTestTaxgate(kind));
      // The same people are asked about again across batches: no duplicate window here.
      await tg.applyAgreement(buildAgreement({ duplicate_window_days: 0 }), 'operator:test');
      await tg.applyAgreement(
        buildAgreement({ id: 'other', requesting_agency: 'Other Agency', statutes: ['OTHER 1'] }),
        'operator:test',
      );
      await tg.importTaxpayers(returnsCsv(returns), { actor: 'operator:test' });
      ice = await submit(tg, 'ice-2026', [
        buildItem({ request_id: 'hit', reason: 'Locating for removal, case CASE-1' }),
        buildItem({ request_id: 'miss', zip: '12345' }),
        buildItem({ request_id: 'bad', street: 'Unknown Address' }),
      ]);
      other = await submit(tg, 'other', [
        buildItem({
          request_id: 'o-1',
          first_name: 'John',
          last_name: 'Smith',
          street: '9 Elm St',
          city: 'Austin',
          zip: '78701',
          statute: 'OTHER 1',
        }),
      ]);
      expect(await tg.drainQueue()).toBe(2);
      await tg.approve(ice, 'operator:test');
    });
    afterAll(() => done());

    it('records each return inspected, by keyed hash, with the digest in the ledger entry', async () => {
      const rows = await tg.db
        .selectFrom('inspections as i')
        .innerJoin('inspection_requests as r', (j) =>
          j.onRef('r.batch_id', '=', 'i.batch_id').onRef('r.position', '=', 'i.position'),
        )
        .select(['i.position', 'i.subject_hash', 'i.best', 'r.request_id', 'r.statute', 'r.reason'])
        .where('i.batch_id', '=', ice)
        .orderBy('i.position')
        .orderBy('i.subject_hash')
        .execute();
      // One request row per item that read a return, not one per return.
      const requests = await tg.db
        .selectFrom('inspection_requests')
        .select('position')
        .where('batch_id', '=', ice)
        .execute();
      expect(requests).toHaveLength(new Set(rows.map((r) => r.position)).size);
      const maria = tg.subjectHash('tin:000000001');
      expect(rows.some((r) => r.subject_hash === maria && r.best && r.request_id === 'hit')).toBe(
        true,
      );
      expect(rows.every((r) => r.statute === '8 USC 1253(a)(1)(A)')).toBe(true);
      expect(rows.find((r) => r.request_id === 'hit')?.reason).toBe(
        'Locating for removal, case CASE-1',
      );
      // The rejected item was never matched: nothing inspected for it.
      expect(rows.some((r) => r.request_id === 'bad')).toBe(false);
      const { rows: dump } = await sql<{
        t: string;
      }>`select string_agg(i::text, '|') || string_agg(r::text, '|') as t
           from inspections i join inspection_requests r using (batch_id, position)`.execute(tg.db);
      expect(dump[0]!.t).not.toMatch(/00000000[12]/);

      const matched = (await listEvents(tg.db, ice)).filter((e) => e.type === 'items.matched');
      expect(matched).toHaveLength(1);
      expect(matched[0]!.payload).toMatchObject({
        returns_inspected: new Set(rows.map((r) => r.subject_hash)).size,
        inspections: rows.length,
        inspections_sha256: accountingDigest(rows),
      });
      const leaves = await tg.db.selectFrom('events').select('leaf').execute();
      const all = leaves.map((l) => Buffer.from(l.leaf).toString('utf8')).join('\n');
      expect(all).not.toMatch(/00000000[12]|Garcia|Smith/);
    });

    it('records the disclosure of a CONFIRMED result at release, with the release entry', async () => {
      const disclosed = await tg.db.selectFrom('disclosures').selectAll().execute();
      expect(disclosed).toEqual([
        expect.objectContaining({
          batch_id: ice,
          subject_hash: tg.subjectHash('tin:000000001'),
          result: 'CONFIRMED',
        }),
      ]);
      const released = (await listEvents(tg.db, ice)).find((e) => e.type === 'batch.released');
      expect(released?.payload).toMatchObject({
        disclosures: 1,
        disclosures_sha256: accountingDigest(disclosed),
      });
      // The other agency's batch is not released: inspected, not disclosed.
      expect(disclosed.some((d) => d.batch_id === other)).toBe(false);
    });

    it("lists one taxpayer's inspections and disclosures, and records that it was looked up", async () => {
      const before = (await listEvents(tg.db)).length;
      const { subject, entries } = await tg.accounting('000-00-0001', 'operator:auditor');
      expect(subject).toBe(tg.subjectHash('tin:000000001'));
      // Maria's return was read for 'hit' and, by blocking on her name, for 'miss';
      // only 'hit' confirmed her and was released.
      expect(entries.map((e) => `${e.kind} ${e.request_id}`).sort()).toEqual([
        'disclosure hit',
        'inspection hit',
        'inspection miss',
      ]);
      expect(entries.at(-1)?.kind, JSON.stringify(entries, null, 1)).toBe('disclosure');
      expect(entries.find((e) => e.kind === 'inspection' && e.request_id === 'hit')).toMatchObject({
        requesting_agency: 'DHS/ICE',
        agreement_id: 'ice-2026',
        statute: '8 USC 1253(a)(1)(A)',
        reason: 'Locating for removal, case CASE-1',
        request_id: 'hit',
        batch_id: ice,
        result: null,
      });
      expect(entries.at(-1)).toMatchObject({
        kind: 'disclosure',
        result: 'CONFIRMED',
        request_id: 'hit',
      });
      const after = await listEvents(tg.db);
      expect(after).toHaveLength(before + 1);
      expect(after.at(-1)).toMatchObject({
        type: 'accounting.viewed',
        actor: 'operator:auditor',
        payload: { subject, entries: 3 },
      });
      expect((await tg.accounting('999999999', 'operator:auditor')).entries).toEqual([]);
      await expect(tg.accounting('12345', 'operator:auditor')).rejects.toMatchObject({
        code: 'TIN_INVALID',
      });
    });

    it('reports the year to the Joint Committee on Taxation, per agency', async () => {
      const report = await tg.jctReport(year, 'operator:test');
      expect(report).toMatchObject({ format: 'taxgate-jct-report/1', year });
      const byAgency = Object.fromEntries(report.agencies.map((a) => [a.requesting_agency, a]));
      expect(byAgency['DHS/ICE']).toMatchObject({
        batches: 1,
        requests: 3,
        disclosures: 1,
        taxpayers_disclosed: 1,
      });
      // The counts, from each accounting table on its own (a join that fanned out would
      // count an inspection once per request row, or a request once per inspection).
      const { rows } = await sql<{ inspections: number; taxpayers: number; requests: number }>`
        select (select count(*) from inspections where batch_id = ${ice})::int as inspections,
               (select count(distinct subject_hash) from inspections where batch_id = ${ice})::int as taxpayers,
               (select count(*) from inspection_requests where batch_id = ${ice})::int as requests`.execute(
        tg.db,
      );
      const counted = rows[0]!;
      expect(counted.inspections).toBeGreaterThan(counted.requests);
      expect(byAgency['DHS/ICE']).toMatchObject({
        inspections: counted.inspections,
        taxpayers_inspected: counted.taxpayers,
      });
      expect(byAgency['DHS/ICE']!.statutes).toEqual([
        {
          statute: '8 USC 1253(a)(1)(A)',
          requests: counted.requests,
          inspections: counted.inspections,
        },
      ]);
      expect(byAgency['Other Agency']).toMatchObject({ batches: 1, requests: 1, disclosures: 0 });
      expect((await tg.jctReport(year - 1, 'operator:test')).agencies).toEqual([]);
      expect((await listEvents(tg.db)).at(-1)).toMatchObject({
        type: 'report.jct',
        payload: { year: year - 1, agencies: 0 },
      });
    });

    it('serves both to the operator over HTTP, the TIN in the body only', async () => {
      const app = await buildServer(tg);
      try {
        const headers = { authorization: `Bearer ${tg.operatorToken}` };
        const acc = await app.inject({
          method: 'POST',
          url: '/v1/operator/accounting',
          headers,
          payload: { tin: '000000001' },
        });
        expect(acc.statusCode, acc.body).toBe(200);
        expect(acc.json().entries).toHaveLength(3);
        const bad = await app.inject({
          method: 'POST',
          url: '/v1/operator/accounting',
          headers,
          payload: { tin: '0001' },
        });
        expect(bad.statusCode).toBe(400);
        expect(bad.body).not.toContain('0001');
        const noToken = await app.inject({
          method: 'POST',
          url: '/v1/operator/accounting',
          headers: { authorization: `Bearer ${tg.auditorToken}` },
          payload: { tin: '000000001' },
        });
        expect(noToken.statusCode).toBe(401);
        const csvReport = await app.inject({
          url: `/v1/operator/reports/jct?year=${year}&format=csv`,
          headers,
        });
        expect(csvReport.statusCode).toBe(200);
        expect(csvReport.headers['content-type']).toContain('text/csv');
        expect(csvReport.body.split('\n')[0]).toMatch(/^year,requesting_agency,batches,requests/);
        expect(csvReport.body).toContain(`${year},DHS/ICE,1,3,`);
      } finally {
        await app.close();
      }
    });

    it('fails closed: a match page without its accounting is not written', async () => {
      const batch = await submit(tg, 'ice-2026', [buildItem({ request_id: 'again' })]);
      // A subject key that hashes people (holds, duplicate window) but fails for returns:
      // the page cannot be accounted for, so it is not written.
      const peopleOnly = (subject: string) => {
        if (subject.startsWith('tin:')) throw new Error('no subject key for the accounting');
        return createHash('sha256').update(subject).digest('base64url');
      };
      await expect(processBatch(tg.db, batch, { subjectHash: peopleOnly })).rejects.toThrow(
        'no subject key for the accounting',
      );
      const outcomes = await tg.db
        .selectFrom('item_outcomes')
        .select('position')
        .where('batch_id', '=', batch)
        .execute();
      expect(outcomes).toEqual([]);
      await tg.processBatch(batch);
      expect((await tg.batchStatus(batch)).state).toBe('matched');
    });

    it('taxgate accounting and taxgate report jct', { timeout: 120_000 }, async () => {
      await tg.close();
      done = () => env.cleanup(); // closed here: the CLI needs the data folder
      {
        const cli = (...args: string[]) => runCli(args, env.env, env.dataDir);
        const acc = await cli('accounting', '--tin', '000000001', '--json', '--actor', 'ana');
        expect(acc.code, acc.stderr).toBe(0);
        expect(acc.json<{ entries: { kind: string }[] }>().entries.map((e) => e.kind)).toEqual([
          'inspection',
          'inspection',
          'disclosure',
          'inspection', // 'again', the batch of the fail-closed test (not released)
        ]);
        const human = await cli('accounting', '--tin', '000000001');
        expect(human.stdout).toMatch(
          /inspection {2}DHS\/ICE {2}8 USC 1253\(a\)\(1\)\(A\) {2}request hit/,
        );
        const report = await cli('report', 'jct', '--year', String(year), '--format', 'csv');
        expect(report.code, report.stderr).toBe(0);
        expect(report.stdout).toContain(`${year},Other Agency,1,1,`);
        const badYear = await cli('report', 'jct', '--year', '26', '--json');
        expect(badYear.json()).toMatchObject({ error: { code: 'YEAR_INVALID' } });

        // ledger verify recomputes every recorded accounting digest from the tables…
        const ok = await cli('ledger', 'verify', '--json');
        expect(ok.code, ok.stderr).toBe(0);
        expect(ok.json()).toMatchObject({ accounting: { pages: 3, releases: 1 } });
        // …so a row removed by someone who can switch the triggers off is named.
        const withDb = async <T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T> => {
          const opened = await openDatabase(
            env.config.databaseUrl
              ? { kind: 'postgres', url: env.config.databaseUrl }
              : { kind: 'pglite', dir: pgliteDir(env.dataDir) },
          );
          try {
            return await work(opened.db);
          } finally {
            await opened.close();
          }
        };
        const index = await withDb(
          async (db) =>
            (await listEvents(db, ice)).find((e) => e.type === 'items.matched')!.leaf_index,
        );
        // A request row deleted would take its item's inspections out of the accounting.
        const request = await withDb(async (db) => {
          const row = await db
            .selectFrom('inspection_requests')
            .selectAll()
            .where('batch_id', '=', ice)
            .where('request_id', '=', 'hit')
            .executeTakeFirstOrThrow();
          await sql`alter table inspection_requests disable trigger user`.execute(db);
          await sql`delete from inspection_requests where batch_id = ${ice} and request_id = 'hit'`.execute(
            db,
          );
          return row;
        });
        const noRequest = await cli('ledger', 'verify', '--json');
        expect(noRequest.code).toBe(1);
        expect(noRequest.json()).toMatchObject({
          error: {
            code: 'LEDGER_INVALID',
            message: `ledger entry ${index}: the inspection requests of batch ${ice}, positions 0 to 1, no longer give its inspection_requests_sha256: the accounting was changed`,
          },
        });
        await withDb((db) => db.insertInto('inspection_requests').values(request).execute());
        expect((await cli('ledger', 'verify', '--json')).code).toBe(0);
        await withDb(async (db) => {
          await sql`alter table inspections disable trigger user`.execute(db);
          await sql`delete from inspections i using inspection_requests r
                     where i.batch_id = ${ice} and r.batch_id = i.batch_id
                       and r.position = i.position and r.request_id = 'miss'`.execute(db);
        });
        const bad = await cli('ledger', 'verify', '--json');
        expect(bad.code).toBe(1);
        expect(bad.json()).toMatchObject({
          error: {
            code: 'LEDGER_INVALID',
            message: `ledger entry ${index}: the inspections of batch ${ice}, positions 0 to 1, no longer give its inspections_sha256: the accounting was changed`,
            details: { index },
          },
        });
      }
    });
  });
}
