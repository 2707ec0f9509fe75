import { sql, type Kysely } from 'kysely';

/**
 * A batch whose processing fails is retried later, not at once (ADR 0010 §Failures):
 * the queue took the oldest waiting batch first, so one that failed on every attempt
 * held up every batch behind it. `failed_attempts` and `last_error` (an error code, never
 * a message: it could echo input) tell operators why a batch waits; `retry_after` keeps
 * the queue off it until then.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table batches
    add column failed_attempts integer not null default 0,
    add column last_error text,
    add column retry_after timestamptz`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('taxgate migrations are forward-only');
}
