import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { evidencePositions, findEvidence } from '../src/intake/batches.store.ts';
import { latestReturnsAfter } from '../src/matching/engine.store.ts';
import type { PersonFeatures } from '../src/matching/comparison.ts';
import { personFeatures } from '../src/matching/features.ts';
import { migrateToLatest, migrateUpTo, openDatabase, pgliteDir } from '../src/storage/db.ts';
import type { Database } from '../src/storage/schema.ts';
import { freshTestEnv, TEST_DATABASES, type TestEnv } from './support/databases.ts';

/**
 * Migrations that move rows keep every one of them (issue 3: nothing lost on the way to
 * a faster schema). Each test writes rows in the schema before a migration, then runs it.
 */
/** Returns in Reno, NV 89501: [tin, tax year, first name, last name, street, unit]. */
async function insertReturns(
  db: Kysely<Database>,
  rows: [string, number, string, string, string, string][],
): Promise<void> {
  await db
    .insertInto('taxpayer_returns')
    .values(
      rows.map(([tin, tax_year, first_name, last_name, street, unit]) => ({
        tin,
        tax_year,
        first_name,
        middle_name: '',
        last_name,
        street,
        unit,
        city: 'Reno',
        state: 'NV',
        zip: '89501',
        dob: null,
      })),
    )
    .execute();
}

/** The matching index's blocking keys of one TIN, sorted. */
async function blockingKeysOf(db: Kysely<Database>, tin: string): Promise<string[]> {
  const { rows } = await sql<{ key: string }>`
    select key from taxpayer_blocking_keys where tin = ${tin} order by key`.execute(db);
  return rows.map((r) => r.key);
}

describe.each(TEST_DATABASES)('migrations on %s', (kind) => {
  let env: TestEnv | undefined;
  let opened: Awaited<ReturnType<typeof openDatabase>> | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
    await env?.cleanup();
    env = undefined;
  });

  /** A fresh store migrated up to `migration`, closed after the test. */
  async function openBefore(migration: string) {
    env = await freshTestEnv(kind);
    opened = await openDatabase(
      env.config.databaseUrl
        ? { kind: 'postgres', url: env.config.databaseUrl }
        : { kind: 'pglite', dir: pgliteDir(env.dataDir) },
    );
    await migrateUpTo(opened.db, migration);
    return opened.db;
  }

  it('0009 splits inspections into one request row per item and one row per return read', async () => {
    const db = await openBefore('0008-batch-approvals');
    await sql`insert into batches (id, state, envelope_sha256, item_count, rule_set_version)
              values ('bat_a', 'released', 'x', 2, 'r1')`.execute(db);
    await sql`insert into inspections (batch_id, position, subject_hash, best, request_id, statute, reason, inspected_at)
      values ('bat_a', 0, 'h1', true,  'req-0', 'S', 'why 0', '2026-03-01T10:00:00Z'),
             ('bat_a', 0, 'h2', false, 'req-0', 'S', 'why 0', '2026-03-01T10:00:00Z'),
             ('bat_a', 1, 'h3', true,  null,    'T', 'why 1', '2026-03-02T10:00:00Z')`.execute(db);
    await sql`insert into item_outcomes (batch_id, position, request_id, outcome, reasons, rule_set_version, model_version)
              values ('bat_a', 0, 'req-0', 'CONFIRMED', '{MATCH_NAME_AND_ADDRESS}', 'r1', 'm1')`.execute(
      db,
    );
    await sql`insert into item_explanations (batch_id, position, model_version, explanation)
              values ('bat_a', 0, 'm1', '{"v": 2, "o": "CONFIRMED", "c": [["000000001", 12.5]]}')`.execute(
      db,
    );
    await sql`insert into taxpayer_features (tin, tax_year, features)
              values ('000000001', 2024, '{"zip5": "89501", "given": ["ANA"]}')`.execute(db);

    await migrateUpTo(db, '0009-matching-writes');

    const requests = await db
      .selectFrom('inspection_requests')
      .select(['batch_id', 'position', 'request_id', 'statute', 'reason', 'inspected_at'])
      .orderBy('position')
      .execute();
    expect(
      requests.map((r) => ({ ...r, inspected_at: new Date(r.inspected_at).toISOString() })),
    ).toEqual([
      {
        batch_id: 'bat_a',
        position: 0,
        request_id: 'req-0',
        statute: 'S',
        reason: 'why 0',
        inspected_at: '2026-03-01T10:00:00.000Z',
      },
      {
        batch_id: 'bat_a',
        position: 1,
        request_id: null,
        statute: 'T',
        reason: 'why 1',
        inspected_at: '2026-03-02T10:00:00.000Z',
      },
    ]);
    const inspections = await db
      .selectFrom('inspections')
      .selectAll()
      .orderBy('subject_hash')
      .execute();
    expect(inspections).toEqual([
      { batch_id: 'bat_a', position: 0, subject_hash: 'h1', best: true },
      { batch_id: 'bat_a', position: 0, subject_hash: 'h2', best: false },
      { batch_id: 'bat_a', position: 1, subject_hash: 'h3', best: true },
    ]);
    // Both accounting tables stay append-only.
    for (const table of ['inspections', 'inspection_requests']) {
      await expect(sql.raw(`delete from ${table}`).execute(db)).rejects.toThrow(/append-only/);
    }
    const { rows: explanations } = await sql<{ explanation: unknown }>`
      select explanation from item_explanations`.execute(db);
    expect(explanations[0]!.explanation).toEqual({
      v: 2,
      o: 'CONFIRMED',
      c: [['000000001', 12.5]],
    });
    const features = await db
      .selectFrom('taxpayer_features')
      .select('features')
      .executeTakeFirstOrThrow();
    expect(features.features).toEqual({ zip5: '89501', given: ['ANA'] });

    // The schema the speed depends on: no per-row batch check, json, byte-order keys,
    // subjects by hash, one inspection per item and return.
    const { rows: fks } = await sql<{ conname: string }>`
      select conname from pg_constraint
       where contype = 'f' and conrelid in ('item_outcomes'::regclass, 'item_explanations'::regclass)`.execute(
      db,
    );
    expect(fks).toEqual([]);
    const { rows: columns } = await sql<{ col: string; type: string; collation: string | null }>`
      select c.table_name || '.' || c.column_name as col, c.data_type as type, c.collation_name as collation
        from information_schema.columns c
       where (c.table_name, c.column_name) in (('item_explanations', 'explanation'),
              ('taxpayer_features', 'features'), ('taxpayer_features', 'tin'),
              ('taxpayer_blocking_keys', 'key'), ('taxpayer_blocking_keys', 'tin'),
              ('inspections', 'subject_hash'), ('inspections', 'batch_id'))
       order by 1`.execute(db);
    expect(columns).toEqual([
      { col: 'inspections.batch_id', type: 'text', collation: null },
      { col: 'inspections.subject_hash', type: 'text', collation: 'C' },
      { col: 'item_explanations.explanation', type: 'json', collation: null },
      { col: 'taxpayer_blocking_keys.key', type: 'text', collation: 'C' },
      { col: 'taxpayer_blocking_keys.tin', type: 'text', collation: 'C' },
      { col: 'taxpayer_features.features', type: 'json', collation: null },
      { col: 'taxpayer_features.tin', type: 'text', collation: 'C' },
    ]);
    const { rows: indexes } = await sql<{ indexname: string; indexdef: string }>`
      select indexname, indexdef from pg_indexes where tablename = 'inspections' order by 1`.execute(
      db,
    );
    expect(indexes.map((i) => i.indexname)).toEqual([
      'inspections_page_idx',
      'inspections_subject_idx',
    ]);
    expect(indexes[0]!.indexdef).toMatch(/INDEX .* \(batch_id, "?position"?\)$/);
    expect(indexes[1]!.indexdef).toMatch(/USING hash \(subject_hash\)/);
    // An item's accounting is recorded once: a second request row for it is refused.
    await expect(
      sql`insert into inspection_requests (batch_id, position, request_id, statute, reason)
          values ('bat_a', 0, 'req-0', 'S', 'again')`.execute(db),
    ).rejects.toThrow(/duplicate key/);
  });

  it('0010 keeps every explanation, one evidence row per page keyed by position', async () => {
    const db = await openBefore('0009-matching-writes');
    await sql`insert into batches (id, state, envelope_sha256, item_count, rule_set_version)
              values ('bat_a', 'matched', 'x', 3, 'r1')`.execute(db);
    await sql`insert into item_outcomes (batch_id, position, request_id, outcome, reasons, rule_set_version, model_version)
              values ('bat_a', 0, 'a', 'CONFIRMED', '{}', 'r1', 'm1'),
                     ('bat_a', 2, 'c', 'NOT_CONFIRMED', '{MATCH_NONE}', 'r1', 'm1')`.execute(db);
    await sql`insert into item_explanations (batch_id, position, model_version, explanation)
              values ('bat_a', 0, 'm1', '{"v": 2, "o": "CONFIRMED", "c": [["000000001", 12.5]]}'),
                     ('bat_a', 2, 'm1', '{"v": 2, "o": "NOT_CONFIRMED", "c": []}')`.execute(db);

    await migrateToLatest(db);

    expect(await evidencePositions(db, 'bat_a')).toEqual([0, 2]);
    expect(await findEvidence(db, 'bat_a', 'a')).toEqual({
      position: 0,
      outcome: 'CONFIRMED',
      model_version: 'm1',
      evidence: { v: 2, o: 'CONFIRMED', c: [['000000001', 12.5]] },
    });
    expect((await findEvidence(db, 'bat_a', 'c'))?.evidence).toEqual({
      v: 2,
      o: 'NOT_CONFIRMED',
      c: [],
    });
    expect(await findEvidence(db, 'bat_a', 'b')).toBeUndefined();
  });

  it('0012 recomputes the features of addresses of record whose units or house number the parser now reads', async () => {
    const db = await openBefore('0011-batch-retries');
    await insertReturns(db, [
      ['000000001', 2024, 'Ana', 'Lopez', '12 Main St Flat 4', ''],
      ['000000002', 2024, 'Bo', 'Lee', '12½ Main St', ''],
      ['000000003', 2024, 'Cy', 'Kim', '14 Main St', 'Apt 2'],
      ['000000004', 2024, 'Di', 'Ruiz', '16 Main St', ''],
    ]);
    // As the parser before 0012 indexed them: the flat dropped, ½ read as 12.
    const before = (house: string, unit: string) =>
      JSON.stringify({
        given: ['X'],
        surnames: ['X'],
        surnameKeys: ['X'],
        suffix: null,
        houseNumber: house,
        streetName: 'MAIN ST',
        unit,
        city: 'RENO',
        state: 'NV',
        zip5: '89501',
        dob: null,
      });
    await sql`insert into taxpayer_features (tin, tax_year, features)
              values ('000000001', 2024, ${before('12', '')}::json),
                     ('000000002', 2024, ${before('1212', '')}::json)`.execute(db);
    await sql`insert into taxpayer_blocking_keys (key, tin)
              values ('z|89501|12', '000000001'), ('z|89501|1212', '000000002')`.execute(db);
    // Indexed as today's parser would: left as it is.
    const same = personFeatures({
      first_name: 'Di',
      last_name: 'Ruiz',
      street: '16 Main St',
      city: 'Reno',
      state: 'NV',
      zip: '89501',
    });
    await sql`insert into taxpayer_features (tin, tax_year, features)
              values ('000000004', 2024, ${JSON.stringify(same)}::json)`.execute(db);
    const version = async () =>
      (
        await sql<{
          v: string;
        }>`select xmin::text as v from taxpayer_features where tin = '000000004'`.execute(db)
      ).rows[0]?.v;
    const before4 = await version();

    await migrateUpTo(db, '0012-unit-keys');

    expect(await version()).toBe(before4);

    const features = await sql<{ tin: string; unit: string; house: string }>`
      select tin, features->>'unit' as unit, features->>'houseNumber' as house
        from taxpayer_features order by tin`.execute(db);
    expect(features.rows).toEqual([
      { tin: '000000001', unit: 'FLAT 4', house: '12' },
      { tin: '000000002', unit: '', house: '12 1/2' },
      { tin: '000000003', unit: '2', house: '14' },
      { tin: '000000004', unit: '', house: '16' },
    ]);
    expect(await blockingKeysOf(db, '000000002')).toEqual(['s|NV|MAIN|12 1/2', 'z|89501|12 1/2']);
  });

  it('0013 recomputes the features of addresses of record whose line names a unit the parser dropped', async () => {
    const db = await openBefore('0012-unit-keys');
    await insertReturns(db, [
      ['000000001', 2024, 'Ana', 'Lopez', 'Upstairs, 12 Main St', ''],
      ['000000002', 2024, 'Bo', 'Lee', '14 Main St, Tower A Apt 4', ''],
      ['000000003', 2024, 'Cy', 'Kim', '16 Main St', ''],
      ['000000004', 2024, 'Di', 'Ruiz', '7-A Main St', ''],
    ]);
    // As the parser before 0013 indexed them: the words before the house number and
    // the tower dropped.
    const before = (over: Partial<PersonFeatures>) =>
      JSON.stringify({
        ...personFeatures({
          first_name: 'X',
          last_name: 'X',
          street: '1 Main St',
          city: 'Reno',
          state: 'NV',
          zip: '89501',
        }),
        ...over,
      });
    await sql`insert into taxpayer_features (tin, tax_year, features)
              values ('000000001', 2024, ${before({ houseNumber: '12', unit: '' })}::json),
                     ('000000002', 2024, ${before({ houseNumber: '14', unit: '4' })}::json),
                     ('000000004', 2024, ${before({ houseNumber: '7-A', unit: '' })}::json)`.execute(
      db,
    );
    await sql`insert into taxpayer_blocking_keys (key, tin) values ('z|89501|7-A', '000000004')`.execute(
      db,
    );

    await migrateUpTo(db, '0013-units-the-line-names');

    const features = await sql<{ tin: string; unit: string }>`
      select tin, features->>'unit' as unit from taxpayer_features order by tin`.execute(db);
    expect(features.rows).toEqual([
      { tin: '000000001', unit: 'UPSTAIRS' },
      { tin: '000000002', unit: '4 TOWER A' },
      { tin: '000000003', unit: '' },
      { tin: '000000004', unit: '' },
    ]);
    expect(await blockingKeysOf(db, '000000004')).toEqual(['s|NV|MAIN|7A', 'z|89501|7A']);
  });

  it('0014 marks the compound first names of addresses of record indexed before', async () => {
    const db = await openBefore('0013-units-the-line-names');
    await insertReturns(db, [
      ['000000001', 2024, 'Jean-Claude', 'Pierre', '12 Main St', ''],
      ['000000002', 2024, 'Jean Claude', 'Pierre', '12 Main St', ''],
    ]);
    // As indexed before 0014: the same features, without the mark.
    const at = {
      last_name: 'Pierre',
      street: '12 Main St',
      city: 'Reno',
      state: 'NV',
      zip: '89501',
    };
    const { givenCompound: mark, ...before } = personFeatures({
      ...at,
      first_name: 'Jean-Claude',
    });
    expect(mark).toBe(true);
    const spaced = personFeatures({ ...at, first_name: 'Jean Claude' });
    await sql`insert into taxpayer_features (tin, tax_year, features)
              values ('000000001', 2024, ${JSON.stringify(before)}::json),
                     ('000000002', 2024, ${JSON.stringify(spaced)}::json)`.execute(db);
    const version = async (tin: string) =>
      (
        await sql<{
          v: string;
        }>`select xmin::text as v from taxpayer_features where tin = ${tin}`.execute(db)
      ).rows[0]?.v;
    const spacedBefore = await version('000000002');

    await migrateUpTo(db, '0014-names-care-of-and-units');

    const marks = await sql<{ tin: string; mark: string | null }>`
      select tin, features->>'givenCompound' as mark from taxpayer_features order by tin`.execute(
      db,
    );
    expect(marks.rows).toEqual([
      { tin: '000000001', mark: 'true' },
      { tin: '000000002', mark: null },
    ]);
    // Unchanged features are not rewritten.
    expect(await version('000000002')).toBe(spacedBefore);
  });

  it('0014 marks the care-of street lines of addresses of record indexed before', async () => {
    const db = await openBefore('0013-units-the-line-names');
    await insertReturns(db, [
      ['000000001', 2024, 'John', 'Smith', 'c/o Mary Jones, 12 Main St', ''],
      ['000000002', 2024, 'Ann', 'Lee', '14 Main St', ''],
    ]);
    // As indexed before 0014: the same features, without the mark.
    const at = { city: 'Reno', state: 'NV', zip: '89501' };
    const { careOf: mark, ...before } = personFeatures({
      ...at,
      first_name: 'John',
      last_name: 'Smith',
      street: 'c/o Mary Jones, 12 Main St',
    });
    expect(mark).toBe(true);
    await sql`insert into taxpayer_features (tin, tax_year, features)
              values ('000000001', 2024, ${JSON.stringify(before)}::json)`.execute(db);

    await migrateUpTo(db, '0014-names-care-of-and-units');

    const marks = await sql<{ tin: string; mark: string | null; house: string }>`
      select tin, features->>'careOf' as mark, features->>'houseNumber' as house
        from taxpayer_features order by tin`.execute(db);
    expect(marks.rows).toEqual([
      { tin: '000000001', mark: 'true', house: '12' },
      { tin: '000000002', mark: null, house: '14' },
    ]);
  });

  it('0014 keeps apart the two numbers of a unit field indexed joined', async () => {
    const db = await openBefore('0013-units-the-line-names');
    await insertReturns(db, [['000000001', 2024, 'John', 'Smith', '12 Main St', '1 2']]);
    // As indexed before 0014: building 1, apartment 2 read as apartment 12.
    const features = personFeatures({
      first_name: 'John',
      last_name: 'Smith',
      street: '12 Main St',
      unit: '1 2',
      city: 'Reno',
      state: 'NV',
      zip: '89501',
    });
    expect(features.unit).toBe('1 2');
    await sql`insert into taxpayer_features (tin, tax_year, features)
              values ('000000001', 2024, ${JSON.stringify({ ...features, unit: '12' })}::json)`.execute(
      db,
    );

    await migrateUpTo(db, '0014-names-care-of-and-units');

    const units = await sql<{ unit: string }>`
      select features->>'unit' as unit from taxpayer_features`.execute(db);
    expect(units.rows).toEqual([{ unit: '1 2' }]);
  });

  it('0015 gives addresses of record indexed before the date of birth and middle name of earlier returns, and reads dashes as hyphens', async () => {
    const db = await openBefore('0014-names-care-of-and-units');
    await insertReturns(db, [
      ['000000001', 2023, 'John', 'Smith', '12 Main St', ''],
      ['000000001', 2024, 'John', 'Smith', '12 Main St', ''],
      ['000000002', 2024, 'Ann', 'Lee', '12 Main St', 'Apt 1–2'],
    ]);
    await sql`update taxpayer_returns set dob = '1950-03-03', middle_name = 'R'
               where tin = '000000001' and tax_year = 2023`.execute(db);
    // As indexed before 0015: the latest return alone, the en dash deleted.
    const at = { street: '12 Main St', city: 'Reno', state: 'NV', zip: '89501' };
    const john = personFeatures({ ...at, first_name: 'John', last_name: 'Smith' });
    const ann = personFeatures({ ...at, first_name: 'Ann', last_name: 'Lee', unit: 'Apt 1–2' });
    expect(ann.unit).toBe('1-2');
    await sql`insert into taxpayer_features (tin, tax_year, features)
              values ('000000001', 2024, ${JSON.stringify(john)}::json),
                     ('000000002', 2024, ${JSON.stringify({ ...ann, unit: '12' })}::json)`.execute(
      db,
    );

    await migrateUpTo(db, '0015-person-fields-and-dashes');

    const indexed = await sql<{ tin: string; dob: string | null; given: string; unit: string }>`
      select tin, features->>'dob' as dob, features->>'given' as given,
             features->>'unit' as unit
        from taxpayer_features order by tin`.execute(db);
    expect(indexed.rows).toEqual([
      { tin: '000000001', dob: '1950-03-03', given: '["JOHN","R"]', unit: '' },
      { tin: '000000002', dob: null, given: '["ANN"]', unit: '1-2' },
    ]);
  });

  it('reindexing reads the latest return of each TIN, a TIN cut by the page left for the next', async () => {
    const db = await openBefore('0012-unit-keys');
    await insertReturns(db, [
      ['000000001', 2022, 'A', 'X', '1 Old St', ''],
      ['000000001', 2024, 'A', 'X', '1 New St', ''],
      ['000000002', 2023, 'B', 'X', '2 Old St', ''],
      ['000000002', 2024, 'B', 'X', '2 New St', ''],
      ['000000003', 2024, 'C', 'X', '3 New St', ''],
    ]);
    const pages: string[][] = [];
    for (let after = ''; ;) {
      const page = await latestReturnsAfter(db, after, 3);
      if (page.length === 0) break;
      pages.push(page.map((r) => `${r.tin} ${r.street}`));
      after = page[page.length - 1]!.tin;
    }
    // Pages of three returns: the TIN that ends a full page waits for the next one.
    expect(pages).toEqual([['000000001 1 New St'], ['000000002 2 New St'], ['000000003 3 New St']]);
  });
});
