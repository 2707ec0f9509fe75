import { sql, type Kysely } from 'kysely';

/**
 * Makes tables append-only with the `append_only()` trigger function of migration 0005:
 * UPDATE, DELETE and TRUNCATE refused (SQLSTATE P0001), INSERT and SELECT as usual.
 * Shared by the migrations that create such tables; what it creates must never change,
 * since migrations already run are not run again.
 * @example await makeAppendOnly(db, ['inspections'])
 */
export async function makeAppendOnly(db: Kysely<unknown>, tables: readonly string[]) {
  for (const table of tables) {
    await sql
      .raw(
        `create trigger ${table}_no_update before update or delete on ${table}
           for each row execute function append_only()`,
      )
      .execute(db);
    await sql
      .raw(
        `create trigger ${table}_no_truncate before truncate on ${table}
           for each statement execute function append_only()`,
      )
      .execute(db);
  }
}
