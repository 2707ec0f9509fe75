import { sql, type Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';

/**
 * Records a client assertion's `jti` as used. False when it was used before: the
 * caller refuses a replay. Expired entries are dropped on the way (an expired
 * assertion fails verification anyway), so the table holds minutes of traffic.
 * @example if (!(await useAssertion(db, 'off_1', jti, exp))) throw …
 */
export async function useAssertion(
  db: Kysely<Database>,
  officialId: string,
  jti: string,
  expiresAt: Date,
): Promise<boolean> {
  await sql`delete from client_assertions_used where expires_at < now()`.execute(db);
  const r = await sql<{ jti: string }>`
    insert into client_assertions_used (official_id, jti, expires_at)
    values (${officialId}, ${jti}, ${expiresAt.toISOString()}::timestamptz)
    on conflict do nothing
    returning jti`.execute(db);
  return r.rows.length === 1;
}
