import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { Candidate, MatchKeys } from './exact-matcher.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Blocking for a whole chunk of items in one statement: candidates share the
 * surname and street line and either the ZIP or city and state. The chunk's keys
 * arrive as parallel arrays and are joined against the two indexes on
 * taxpayer_addresses; never one query per item.
 */
export async function findCandidates(db: Db, chunk: MatchKeys[]): Promise<Candidate[]> {
  if (chunk.length === 0) return [];
  const col = <K extends keyof MatchKeys>(k: K) => chunk.map((c) => c[k]);
  const result = await sql<Candidate>`
    with k as (
      select * from unnest(
        ${col('position')}::int[], ${col('last_key')}::text[], ${col('street_key')}::text[],
        ${col('zip5')}::text[], ${col('state')}::text[], ${col('city_key')}::text[]
      ) as k(position, last_key, street_key, zip5, state, city_key)
    )
    select k.position, t.tin, t.first_key, t.last_key, t.street_key, t.unit_key,
           t.city_key, t.state, t.zip5
      from k join taxpayer_addresses t
        on t.last_key = k.last_key and t.street_key = k.street_key and t.zip5 = k.zip5
     where k.zip5 <> ''
    union
    select k.position, t.tin, t.first_key, t.last_key, t.street_key, t.unit_key,
           t.city_key, t.state, t.zip5
      from k join taxpayer_addresses t
        on t.last_key = k.last_key and t.street_key = k.street_key
       and t.state = k.state and t.city_key = k.city_key
     where k.city_key <> '' and k.state <> ''
  `.execute(db);
  return result.rows;
}
