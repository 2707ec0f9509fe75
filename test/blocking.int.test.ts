import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Taxgate } from '../src/app.ts';
import type { Database } from '../src/storage/schema.ts';
import { sql, type Kysely } from 'kysely';
import { findCandidates, keepBlockingSerial } from '../src/matching/engine.store.ts';
import { blockingKeys, personFeatures } from '../src/matching/features.ts';
import { buildItem, returnsCsv } from './support/builders.ts';
import { openTestTaxgate, TEST_DATABASES } from './support/databases.ts';

const row = (
  tin: string,
  first: string,
  last: string,
  street: string,
  city: string,
  zip: string,
) => [tin, '2024', first, '', last, street, '', city, 'TX', zip, ''];

/**
 * Blocking in SQL over a whole page (issue 3 §2): every taxpayer sharing at least one
 * blocking key with a request, each pair once, whatever other requests of the page share.
 */
describe.each(TEST_DATABASES)('blocking on %s', (kind) => {
  let tg: Taxgate;
  let done: () => Promise<void>;

  beforeAll(async () => {
    ({ tg, done } = await openTestTaxgate(kind));
    await tg.importTaxpayers(
      returnsCsv([
        // One household: both keys (ZIP + house, state + street + house) find both.
        row('000000020', 'Ana', 'Ruiz', '10 Oak St', 'Dallas', '75201'),
        row('000000010', 'Luis', 'Ruiz', '10 Oak St', 'Dallas', '75201'),
        // Same street and house number in another ZIP: found by the street key only.
        row('000000030', 'Eva', 'Diaz', '10 Oak St', 'Austin', '78701'),
        // Same ZIP and house number on another street: found by the ZIP key only.
        row('000000040', 'Raul', 'Soto', '10 Pine Ave', 'Dallas', '75201'),
        // Elsewhere: never a candidate.
        row('000000050', 'Ana', 'Ruiz', '99 Elm St', 'Houston', '77001'),
        // A house number with a space in it, so in its keys too.
        row('000000060', 'Zoë', 'Núñez', '2615 1/2 Oak St', 'Dallas', '75201'),
      ]),
      { actor: 'test' },
    );
  });
  afterAll(() => done());

  const request = (position: number, over: Record<string, unknown>) => {
    const features = personFeatures(
      buildItem({ first_name: 'Ana', last_name: 'Ruiz', state: 'TX', ...over }) as never,
    );
    return { position, keys: blockingKeys(features) };
  };

  it('gives each request every taxpayer sharing a key, each once, in TIN order', async () => {
    const requests = [
      request(0, { street: '10 Oak St', city: 'Dallas', zip: '75201' }),
      // The same address again: its candidates are its own, not shared away.
      request(1, { street: '10 Oak Street', city: 'Dallas', zip: '75201' }),
      request(2, { street: '10 Oak St', city: 'Austin', zip: '78701' }),
      request(3, { street: '5 Nowhere Rd', city: 'Dallas', zip: '75201' }),
    ];
    expect(requests[0]!.keys).toHaveLength(2);
    const candidates = await findCandidates(tg.db, requests);
    const byPosition = (p: number) => candidates.filter((c) => c.position === p).map((c) => c.tin);
    const everyone = ['000000010', '000000020', '000000030', '000000040'];
    expect(byPosition(0)).toEqual(everyone);
    expect(byPosition(1)).toEqual(everyone);
    // Austin: the Austin taxpayer by ZIP, the Dallas household by street, not Raul.
    expect(byPosition(2)).toEqual(['000000010', '000000020', '000000030']);
    expect(byPosition(3)).toEqual([]);
    // Each candidate carries its features, as indexed.
    const luis = candidates.find((c) => c.position === 0 && c.tin === '000000010')!;
    expect(luis.features).toMatchObject({ given: ['LUIS'], houseNumber: '10', zip5: '75201' });
  });

  it("keeps a page's blocking in one backend, for its transaction only", async () => {
    const workers = (db: Kysely<Database>) =>
      sql<{ n: string }>`select current_setting('max_parallel_workers_per_gather') as n`
        .execute(db)
        .then((r) => r.rows[0]!.n);
    // One connection throughout, with parallel workers allowed (PGlite's default is 0).
    const seen = await tg.db.connection().execute(async (conn) => {
      await sql`set max_parallel_workers_per_gather = 2`.execute(conn);
      const inside = await conn.transaction().execute(async (trx) => {
        await keepBlockingSerial(trx);
        return workers(trx);
      });
      const after = await workers(conn);
      await sql`reset max_parallel_workers_per_gather`.execute(conn);
      return { inside, after };
    });
    expect(seen).toEqual({ inside: '0', after: '2' });
  });

  it('keeps keys with spaces apart and features as indexed', async () => {
    const half = request(0, { street: '2615 1/2 Oak St', city: 'Dallas', zip: '75201' });
    expect(half.keys).toContain('z|75201|2615 1/2');
    const candidates = await findCandidates(tg.db, [half, request(1, { street: '2615 Oak St' })]);
    expect(candidates.map((c) => [c.position, c.tin])).toEqual([[0, '000000060']]);
    expect(candidates[0]!.features).toEqual(
      personFeatures({
        first_name: 'Zoë',
        last_name: 'Núñez',
        street: '2615 1/2 Oak St',
        city: 'Dallas',
        state: 'TX',
        zip: '75201',
      }),
    );
  });

  it('reads nothing for a page without keys', async () => {
    expect(await findCandidates(tg.db, [])).toEqual([]);
    expect(await findCandidates(tg.db, [{ position: 0, keys: [] }])).toEqual([]);
  });
});
