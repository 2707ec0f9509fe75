import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledQuery, sql, type RawBuilder } from 'kysely';
import type { Taxgate } from '../src/app.ts';
import { itemsWithOutcomesQuery, undecidedItemsQuery } from '../src/intake/batches.store.ts';
import { disclosuresInsert } from '../src/reporting/accounting.store.ts';
import { openTestTaxgate, TEST_DATABASES } from './support/databases.ts';

/** A node of `explain (format json)`: its type, relation, index condition and children. */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/**
 * The batch tables as PostgreSQL's autovacuum leaves them after a few batches: analysed
 * with earlier batches only, every one of them in the statistics' common values, so the
 * planner takes a new batch for one row. A join of a new batch's items and outcomes was
 * then planned as a nested loop scanning every outcome of the batch for each item
 * (docs/scaling.md §Plans that do not depend on statistics). Each outcome must instead
 * be found by its key.
 */
describe.each(TEST_DATABASES)('plans for a batch the statistics have not seen, on %s', (kind) => {
  let tg: Taxgate;
  let done: () => Promise<void>;
  const NEW = 'bat_unseen';

  const fill = async (id: string, items: number, decided: number) => {
    await sql`insert into batches (id, state, item_count, envelope_sha256, rule_set_version)
              values (${id}, 'validated', ${items}, ${`sha-${id}`}, 'test')`.execute(tg.db);
    await sql`insert into batch_items (batch_id, position, request_id, item)
              select ${id}, p, 'r' || p, '{}' from generate_series(0, ${items - 1}) p`.execute(
      tg.db,
    );
    await sql`insert into item_outcomes (batch_id, position, request_id, outcome, reasons, rule_set_version)
              select ${id}, p, 'r' || p, 'CONFIRMED', '{}', 'test'
                from generate_series(0, ${decided - 1}) p`.execute(tg.db);
    await sql`insert into inspections (batch_id, position, subject_hash, best)
              select ${id}, p, md5(${id} || p), true from generate_series(0, ${decided - 1}) p`.execute(
      tg.db,
    );
  };

  beforeAll(async () => {
    ({ tg, done } = await openTestTaxgate(kind));
    for (const b of [1, 2, 3]) await fill(`bat_seen_${b}`, 3000, 3000);
    await sql`analyze batch_items, item_outcomes, inspections`.execute(tg.db);
    await fill(NEW, 3000, 1500);
  });
  afterAll(() => done());

  const planOf = async (query: RawBuilder<unknown>): Promise<PlanNode[]> => {
    const compiled = query.compile(tg.db);
    const { rows } = await tg.db.executeQuery<{ 'QUERY PLAN': unknown }>(
      CompiledQuery.raw(`explain (format json) ${compiled.sql}`, [...compiled.parameters]),
    );
    const raw = rows[0]!['QUERY PLAN'];
    const json = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
    return nodes(json[0]!.Plan);
  };

  it.each([
    ['the next page of undecided items', () => undecidedItemsQuery(NEW, 100, 1000)],
    ["the operator view's items with outcomes", () => itemsWithOutcomesQuery(NEW)],
    ["a release's disclosures", () => disclosuresInsert(NEW)],
  ])('%s: every outcome read is found by its batch and position', async (_, query) => {
    const outcomeScans = (await planOf(query())).filter(
      (n) => n['Relation Name'] === 'item_outcomes',
    );
    expect(outcomeScans.length).toBeGreaterThan(0);
    for (const scan of outcomeScans) {
      expect(scan['Node Type']).toMatch(/Index/);
      expect(scan['Index Cond']).toMatch(/batch_id/);
      expect(scan['Index Cond']).toMatch(/position/);
    }
  });

  it('still reads the right rows', async () => {
    const undecided = await undecidedItemsQuery(NEW, 1400, 3).execute(tg.db);
    expect(undecided.rows.map((r) => r.position)).toEqual([1500, 1501, 1502]);
    const items = (await itemsWithOutcomesQuery(NEW).execute(tg.db)).rows;
    expect(items).toHaveLength(3000);
    expect(items[1499]).toMatchObject({ position: 1499, outcome: 'CONFIRMED', reasons: [] });
    expect(items[1500]).toMatchObject({ position: 1500, outcome: null, reasons: null });
    const disclosed = await tg.db
      .transaction()
      .execute(async (trx) => (await disclosuresInsert(NEW).execute(trx)).rows);
    expect(disclosed).toHaveLength(1500);
  });
});
