import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../storage/schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Key of the transaction-level advisory lock that serialises checkpoint writers (several
 * servers on one PostgreSQL database): the check against the latest checkpoint and the
 * insert of the next one happen under it. ASCII "taxgatec".
 */
export const CHECKPOINT_LOCK_KEY = '8386116366552556899';

/**
 * One stored signed checkpoint.
 * @example const cp: StoredCheckpoint = { size: 42, rootHash, note, createdAt: new Date() }
 */
export interface StoredCheckpoint {
  size: number;
  rootHash: Uint8Array;
  /** The signed note (C2SP signed-note): checkpoint text, blank line, signature line. */
  note: string;
  createdAt: Date;
}

const toCheckpoint = (r: {
  tree_size: string | number;
  root_hash: Uint8Array;
  note: string;
  created_at: Date | string;
}): StoredCheckpoint => ({
  size: Number(r.tree_size),
  rootHash: new Uint8Array(r.root_hash),
  note: r.note,
  createdAt: new Date(r.created_at),
});

/**
 * The checkpoint of the largest tree, or null before the first.
 * @example const latest = await latestCheckpoint(db)
 */
export async function latestCheckpoint(db: Db): Promise<StoredCheckpoint | null> {
  const r = await db
    .selectFrom('ledger_checkpoints')
    .selectAll()
    .orderBy('tree_size', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r ? toCheckpoint(r) : null;
}

/**
 * Every stored checkpoint, smallest tree first (for `ledger verify`).
 * @example for (const cp of await listCheckpoints(db)) check(cp)
 */
export async function listCheckpoints(db: Db): Promise<StoredCheckpoint[]> {
  const rows = await db.selectFrom('ledger_checkpoints').selectAll().orderBy('tree_size').execute();
  return rows.map(toCheckpoint);
}

/**
 * Takes the checkpoint lock until the transaction ends.
 * @example await db.transaction().execute(async (trx) => { await lockCheckpoints(trx); … })
 */
export async function lockCheckpoints(trx: Transaction<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${sql.raw(CHECKPOINT_LOCK_KEY)})`.execute(trx);
}

/**
 * Stores a signed checkpoint (call under `lockCheckpoints`, after checking consistency).
 * @example await insertCheckpoint(trx, { size, rootHash, note })
 */
export async function insertCheckpoint(
  trx: Transaction<Database>,
  cp: { size: number; rootHash: Uint8Array; note: string },
): Promise<StoredCheckpoint> {
  const r = await trx
    .insertInto('ledger_checkpoints')
    .values({ tree_size: String(cp.size), root_hash: cp.rootHash, note: cp.note })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toCheckpoint(r);
}

/**
 * Stored leaves from index `from` on, in index order, at most `limit`.
 * @example const page = await readLeaves(db, tree.size, 10_000)
 */
export async function readLeaves(
  db: Db,
  from: number,
  limit: number,
): Promise<{ index: number; leaf: Uint8Array }[]> {
  const rows = await db
    .selectFrom('events')
    .select([sql<string>`leaf_index::text`.as('index_text'), 'leaf'])
    .where('leaf_index', '>=', String(from))
    .orderBy('leaf_index')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ index: Number(r.index_text), leaf: new Uint8Array(r.leaf) }));
}

/**
 * The entry that records a batch's release (`batch.released`), or null when it has none.
 * @example const entry = await findReleaseEntry(db, 'bat_…')
 */
export async function findReleaseEntry(
  db: Db,
  batchId: string,
): Promise<{ index: number; leaf: Uint8Array } | null> {
  const r = await db
    .selectFrom('events')
    .select([sql<string>`leaf_index::text`.as('index_text'), 'leaf'])
    .where('batch_id', '=', batchId)
    .where('type', '=', 'batch.released')
    .orderBy('leaf_index')
    .limit(1)
    .executeTakeFirst();
  return r ? { index: Number(r.index_text), leaf: new Uint8Array(r.leaf) } : null;
}
