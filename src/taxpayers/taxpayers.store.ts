import { sql, type Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { appendEvents } from '../ledger/events.store.ts';
import {
  addressesOfRecord,
  indexAddressesOfRecord,
  lockTaxpayerIndex,
  returnsOf,
} from '../matching/engine.store.ts';
import type { TaxpayerReturn } from './taxpayer-row.ts';

export interface ChunkCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/**
 * Loads one chunk of returns in one transaction: returns are upserted on
 * (tin, tax_year) and rewritten only when a value differs, so a re-import changes
 * nothing; each TIN's address of record (the matching engine's index) moves only
 * to a tax year at least as recent as the one it has, and keeps the date of birth and
 * middle name of earlier returns where the latest has none. The chunk's event commits
 * with it.
 */
export async function upsertReturns(
  db: Kysely<Database>,
  rows: TaxpayerReturn[],
  actor: string,
): Promise<ChunkCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  // Within one chunk the last row for a (tin, tax_year) wins, as it would across chunks.
  const byKey = new Map(rows.map((r) => [`${r.tin}|${r.tax_year}`, r]));
  const unique = [...byKey.values()];
  const col = <K extends keyof TaxpayerReturn>(k: K) => unique.map((r) => r[k]);

  return db.transaction().execute(async (trx) => {
    // One chunk at a time across imports: a chunk reads back its TINs' other returns
    // (below), and two imports at once on PostgreSQL each missed the other's uncommitted
    // rows, so a date of birth one brought was lost from the index (a review found it).
    await lockTaxpayerIndex(trx);
    const written = await sql<{ inserted: boolean }>`
      insert into taxpayer_returns
        (tin, tax_year, first_name, middle_name, last_name, street, unit, city, state, zip, dob)
      select * from unnest(
        ${col('tin')}::text[], ${col('tax_year')}::int[], ${col('first_name')}::text[],
        ${col('middle_name')}::text[], ${col('last_name')}::text[], ${col('street')}::text[],
        ${col('unit')}::text[], ${col('city')}::text[], ${col('state')}::text[],
        ${col('zip')}::text[], ${col('dob')}::date[])
      on conflict (tin, tax_year) do update set
        first_name = excluded.first_name, middle_name = excluded.middle_name,
        last_name = excluded.last_name, street = excluded.street, unit = excluded.unit,
        city = excluded.city, state = excluded.state, zip = excluded.zip, dob = excluded.dob
      where (taxpayer_returns.first_name, taxpayer_returns.middle_name, taxpayer_returns.last_name,
             taxpayer_returns.street, taxpayer_returns.unit, taxpayer_returns.city,
             taxpayer_returns.state, taxpayer_returns.zip, taxpayer_returns.dob)
        is distinct from
            (excluded.first_name, excluded.middle_name, excluded.last_name, excluded.street,
             excluded.unit, excluded.city, excluded.state, excluded.zip, excluded.dob)
      returning (xmax = 0) as inserted`.execute(trx);

    // Read back with the TINs' earlier returns: a date of birth or middle name an earlier
    // return gave stays with the person (addressesOfRecord), whichever file came first.
    const tins = [...new Set(unique.map((r) => r.tin))];
    await indexAddressesOfRecord(trx, addressesOfRecord(await returnsOf(trx, tins)));

    const inserted = written.rows.filter((r) => r.inserted).length;
    const counts = {
      inserted,
      updated: written.rows.length - inserted,
      unchanged: unique.length - written.rows.length + (rows.length - unique.length),
    };
    if (written.rows.length > 0) {
      await appendEvents(trx, [
        { type: 'taxpayers.returns_loaded', actor, payload: { ...counts } },
      ]);
    }
    return counts;
  });
}

/** How many returns and distinct taxpayers the store holds. */
export async function countTaxpayers(
  db: Kysely<Database>,
): Promise<{ returns: number; taxpayers: number }> {
  const r = await sql<{ returns: string; taxpayers: string }>`
    select (select count(*) from taxpayer_returns) as returns,
           (select count(*) from taxpayer_features) as taxpayers`.execute(db);
  return { returns: Number(r.rows[0]!.returns), taxpayers: Number(r.rows[0]!.taxpayers) };
}
