import { sql, type Kysely } from 'kysely';

/**
 * Approvals of a batch's release, one per approver: the agreement's
 * `release_approvals` different approvers must approve before anything is
 * released (DESIGN.md, lifecycle: two different disclosure officers).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('batch_approvals')
    .addColumn('batch_id', 'text', (c) => c.notNull().references('batches.id'))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('approved_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('batch_approvals_pk', ['batch_id', 'actor'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('taxgate migrations are forward-only');
}
