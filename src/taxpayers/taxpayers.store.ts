import { sql, type Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { appendEvents } from '../ledger/events.store.ts';
import { addressOfRecord, type TaxpayerReturn } from './taxpayer-row.ts';

export interface ChunkCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/**
 * Loads one chunk of returns in one transaction: returns are upserted on
 * (tin, tax_year) and rewritten only when a value differs, so a re-import changes
 * nothing; each TIN's address of record moves only to a tax year at least as
 * recent as the one it has. The chunk's event commits with it.
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
  const latest = new Map<string, TaxpayerReturn>();
  for (const r of unique) {
    const seen = latest.get(r.tin);
    if (!seen || r.tax_year >= seen.tax_year) latest.set(r.tin, r);
  }
  const addresses = [...latest.values()].map(addressOfRecord);
  const col = <K extends keyof TaxpayerReturn>(k: K) => unique.map((r) => r[k]);
  const acol = <K extends keyof (typeof addresses)[number]>(k: K) => addresses.map((a) => a[k]);

  return db.transaction().execute(async (trx) => {
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

    await sql`
      insert into taxpayer_addresses
        (tin, tax_year, first_key, last_key, street_key, unit_key, city_key, state, zip5)
      select * from unnest(
        ${acol('tin')}::text[], ${acol('tax_year')}::int[], ${acol('first_key')}::text[],
        ${acol('last_key')}::text[], ${acol('street_key')}::text[], ${acol('unit_key')}::text[],
        ${acol('city_key')}::text[], ${acol('state')}::text[], ${acol('zip5')}::text[])
      on conflict (tin) do update set
        tax_year = excluded.tax_year, first_key = excluded.first_key,
        last_key = excluded.last_key, street_key = excluded.street_key,
        unit_key = excluded.unit_key, city_key = excluded.city_key,
        state = excluded.state, zip5 = excluded.zip5
      where excluded.tax_year >= taxpayer_addresses.tax_year
        and (taxpayer_addresses.tax_year, taxpayer_addresses.first_key, taxpayer_addresses.last_key,
             taxpayer_addresses.street_key, taxpayer_addresses.unit_key,
             taxpayer_addresses.city_key, taxpayer_addresses.state, taxpayer_addresses.zip5)
          is distinct from
            (excluded.tax_year, excluded.first_key, excluded.last_key, excluded.street_key,
             excluded.unit_key, excluded.city_key, excluded.state, excluded.zip5)`.execute(trx);

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
           (select count(*) from taxpayer_addresses) as taxpayers`.execute(db);
  return { returns: Number(r.rows[0]!.returns), taxpayers: Number(r.rows[0]!.taxpayers) };
}
