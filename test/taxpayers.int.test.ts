import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Taxgate } from '../src/app.ts';
import { syntheticReturns, toCsvLine } from '../src/taxpayers/synthetic.ts';
import { TAXPAYER_COLUMNS } from '../src/taxpayers/taxpayer-row.ts';
import { openTestTaxgate, TEST_DATABASES } from './support/databases.ts';

const header = TAXPAYER_COLUMNS.join(',');
const stream = (text: string) => Readable.from([text]);

for (const kind of TEST_DATABASES) {
  describe(`taxpayer import on ${kind}`, () => {
    let tg: Taxgate;
    let done: () => Promise<void>;
    beforeEach(async () => ({ tg, done } = await openTestTaxgate(kind)));
    afterEach(() => done());

    it('loads good rows, reports each bad one by line and reason, and is idempotent', async () => {
      const csv = [
        header,
        '000-00-0001,2024,Ana,,Ruiz,1 Elm St,,Reno,NV,89501,',
        '000000002,2026,Bo,,Li,2 Elm St,,Reno,NV,89501,',
        '000000003,2024,Cy,,Ng,3 Elm St,,Reno,Nowhere,89501,',
        '000000005,2024,Ed,,Xu,5 Elm St,,Reno,NV,89501-0001,1990-02-30',
        // An unclosed quote runs to the end of the file: reported, never loaded.
        '000000004,2024,Di,,Wu,"4 Elm St,,Reno,NV,89501,',
      ].join('\n');
      const problems: { line: number; reason: string }[] = [];
      const first = await tg.importTaxpayers(stream(csv + '\n'), {
        actor: 't',
        onProblem: (p) => problems.push(p),
        currentYear: 2026,
      });
      expect(first).toMatchObject({ rows: 5, loaded: 1, inserted: 1, rejected: 4 });
      expect(first.problems).toEqual(problems.sort((a, b) => a.line - b.line));
      expect(first.problems).toEqual([
        {
          line: 3,
          reason:
            "tax_year must be a year from 1900 to 2025: the current year's return cannot have been filed yet",
        },
        { line: 4, reason: 'state is not a US state or territory' },
        { line: 5, reason: 'dob must be a date as YYYY-MM-DD' },
        { line: 6, reason: 'malformed CSV: CSV_QUOTE_NOT_CLOSED' },
      ]);
      const again = await tg.importTaxpayers(stream(csv), { actor: 't', currentYear: 2026 });
      expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 1 });
    });

    it('refuses a file without the expected header, naming the missing columns', async () => {
      await expect(
        tg.importTaxpayers(stream('tin,year\n1,2\n'), { actor: 't' }),
      ).rejects.toMatchObject({
        code: 'CSV_HEADER_INVALID',
        message: expect.stringMatching(/tax_year/),
      });
    });

    it('keeps the latest tax year as the address of record, in any file order', async () => {
      const csv =
        [
          header,
          '000000009,2024,Ana,,Ruiz,9 New Rd,,Reno,NV,89501,',
          '000000009,2022,Ana,,Ruiz,1 Old Rd,,Reno,NV,89501,',
        ].join('\n') + '\n';
      await tg.importTaxpayers(stream(csv), { actor: 't', chunkSize: 1 });
      const row = await tg.db
        .selectFrom('taxpayer_features')
        .selectAll()
        .where('tin', '=', '000000009')
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        tax_year: 2024,
        features: { houseNumber: '9', streetName: 'NEW RD' },
      });
      const keys = await tg.db
        .selectFrom('taxpayer_blocking_keys')
        .select('key')
        .where('tin', '=', '000000009')
        .execute();
      expect(keys.map((k) => k.key).sort()).toEqual(['s|NV|NEW|9', 'z|89501|9']);
    });

    it('streams a generated store in chunks and counts it exactly', async () => {
      const rows = [...syntheticReturns({ returns: 5000, seed: 3 })];
      let progressCalls = 0;
      const summary = await tg.importTaxpayers(
        Readable.from(
          (function* () {
            yield header + '\n';
            for (const r of rows) yield toCsvLine(r) + '\n';
          })(),
        ),
        { actor: 't', chunkSize: 700, onProgress: () => progressCalls++ },
      );
      expect(summary).toMatchObject({ rows: 5000, inserted: 5000, rejected: 0 });
      expect(progressCalls).toBeGreaterThanOrEqual(8);
      expect(await tg.countTaxpayers()).toEqual({
        returns: 5000,
        taxpayers: new Set(rows.map((r) => r.tin)).size,
      });
    });
  });
}
