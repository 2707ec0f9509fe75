import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { canonicalJson } from './jcs.ts';
import { encodeLeaf, type LeafFields } from './leaf.ts';
import { leafHash } from './merkle.ts';
import { verifyEntries, type LedgerVerification, type LogEntry, type SavedRoot } from './verify.ts';

/**
 * One recorded fact. Payloads carry identifiers, codes, counts and keyed subject hashes
 * (`subjectHash`) only: never a name, address, TIN or other request or taxpayer data
 * (the ledger may be handed to auditors whole).
 */
export interface LedgerEvent {
  type: string;
  actor: string;
  batchId?: string | null;
  payload?: Record<string, unknown>;
}

type Db = Kysely<Database> | Transaction<Database>;

/**
 * The key of the transaction-level advisory lock that orders appends. Whoever holds it
 * is the only writer of the next indexes until its transaction ends (commit or rollback),
 * so indexes follow commit order and a rolled-back append leaves no gap. The database
 * function `ledger_next_index()` (migration 0004) takes it, and so does the insert
 * trigger, so no path into `events` can skip it. ASCII "taxgatel".
 */
export const LEDGER_LOCK_KEY = '8386116366552556908';

/** Rows per INSERT statement (8 parameters a row, far below PostgreSQL's 65,535). */
const INSERT_CHUNK = 1000;

/**
 * `occurred_at` as the leaf spells it (`YYYY-MM-DDTHH:MM:SS.mmmZ`), formatted by the
 * database so every driver reads the same text. Entries written by `appendEvents` hold
 * whole milliseconds; entries from before the ledger (migration 0004) are truncated to
 * the millisecond, as their leaves are.
 * @example db.selectFrom('events').select(occurredAtIso('occurred_at').as('occurred_at'))
 */
export function occurredAtIso(column: string): RawBuilder<string> {
  return sql<string>`to_char(date_trunc('milliseconds', ${sql.ref(column)} at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * Appends events to the ledger inside the caller's transaction, so the change and its
 * record commit together or not at all (fail closed). Each event becomes one log entry:
 * the next index (under the ledger lock, held to the end of the transaction), its leaf
 * bytes (RFC 8785 JCS of the six leaf fields) and leaf hash SHA-256(0x00 ‖ leaf).
 *
 * Call it last in a transaction where you can: from here to commit, other appends wait.
 * Given the database itself rather than a transaction, it opens one of its own.
 * @throws TypeError when a payload is not plain JSON (nothing is written)
 * @example await appendEvents(trx, [{ type: 'batch.released', actor, batchId }])
 */
export async function appendEvents(db: Db, events: LedgerEvent[]): Promise<void> {
  if (events.length === 0) return;
  if (!db.isTransaction) {
    await db.transaction().execute((trx) => appendEvents(trx, events));
    return;
  }
  // Check every payload before taking the lock: a bad one fails the change, not the log.
  const prepared = events.map((e) => {
    const payload = (e.payload ?? {}) as LeafFields['payload'];
    return { e, payload, payloadJson: canonicalJson(payload) };
  });
  const { rows } = await sql<{
    next: string;
  }>`select ledger_next_index()::text as next`.execute(db);
  const first = Number(rows[0]?.next);
  if (!Number.isSafeInteger(first) || first < 0) {
    throw new Error(`ledger_next_index() returned ${String(rows[0]?.next)}`);
  }
  // Taken under the lock, so times follow indexes on one clock.
  const occurredAt = new Date().toISOString();
  const values = prepared.map(({ e, payload, payloadJson }, i) => {
    const fields: LeafFields = {
      type: e.type,
      actor: e.actor,
      batch_id: e.batchId ?? null,
      occurred_at: occurredAt,
      payload,
      index: first + i,
    };
    const leaf = encodeLeaf(fields);
    return {
      type: fields.type,
      actor: fields.actor,
      batch_id: fields.batch_id,
      occurred_at: occurredAt,
      payload: payloadJson,
      leaf_index: String(fields.index),
      leaf,
      leaf_hash: leafHash(leaf),
    };
  });
  for (let start = 0; start < values.length; start += INSERT_CHUNK) {
    await db
      .insertInto('events')
      .values(values.slice(start, start + INSERT_CHUNK))
      .execute();
  }
}

export interface StoredEvent {
  seq: string;
  leaf_index: number;
  occurred_at: Date;
  type: string;
  actor: string;
  batch_id: string | null;
  payload: Record<string, unknown>;
}

/** Events in log order, optionally for one batch. */
export async function listEvents(db: Db, batchId?: string): Promise<StoredEvent[]> {
  let q = db
    .selectFrom('events')
    .select(['seq', 'leaf_index', 'occurred_at', 'type', 'actor', 'batch_id', 'payload'])
    .orderBy('leaf_index');
  if (batchId) q = q.where('batch_id', '=', batchId);
  const rows = await q.execute();
  return rows.map((r) => ({
    ...r,
    seq: String(r.seq),
    leaf_index: Number(r.leaf_index),
  })) as StoredEvent[];
}

/**
 * One stored log entry: the leaf, its stored hash, and the columns that copy its fields.
 * `seq` is the row's insertion id, only used to page past duplicated indexes.
 */
export interface StoredEntry extends LogEntry {
  seq: string;
}

/**
 * Every log entry in index order, a page at a time (keyset paging on (leaf_index, seq),
 * so memory stays flat and duplicated indexes are still seen).
 * @example for await (const entry of readEntries(db)) range.append(leafHash(entry.leaf))
 */
export async function* readEntries(db: Db, pageSize = 1000): AsyncGenerator<StoredEntry> {
  let after: { index: string; seq: string } | null = null;
  for (;;) {
    let q = db
      .selectFrom('events')
      .select([
        // Aliases differ from the columns: ORDER BY a bare name would sort the text.
        sql<string>`seq::text`.as('seq_text'),
        sql<string>`leaf_index::text`.as('index_text'),
        'leaf',
        'leaf_hash',
        'type',
        'actor',
        'batch_id',
        occurredAtIso('occurred_at').as('occurred_at'),
        'payload',
      ])
      .where('leaf_index', 'is not', null)
      .orderBy('leaf_index')
      .orderBy('seq')
      .limit(pageSize);
    if (after) {
      const a = after;
      q = q.where(sql<boolean>`(leaf_index, seq) > (${a.index}::bigint, ${a.seq}::bigint)`);
    }
    const rows = await q.execute();
    for (const r of rows) {
      yield {
        seq: r.seq_text,
        index: Number(r.index_text),
        leaf: new Uint8Array(r.leaf),
        leafHash: new Uint8Array(r.leaf_hash),
        type: r.type,
        actor: r.actor,
        batch_id: r.batch_id,
        occurred_at: r.occurred_at,
        payload: r.payload,
      };
    }
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) return;
    after = { index: last.index_text, seq: last.seq_text };
  }
}

/**
 * Rows of `events` without a leaf index: none, unless someone wrote around the schema.
 * @example await countUnindexedEvents(db) // 0
 */
export async function countUnindexedEvents(db: Db): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('leaf_index', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Verifies the whole log as stored (see verify.ts), reading it a page at a time.
 * @example const v = await verifyLedger(db, { saved }); if (!v.ok) throw new Error(v.message)
 */
export async function verifyLedger(
  db: Db,
  opts: { saved?: SavedRoot; checkpoints?: SavedRoot[]; pageSize?: number } = {},
): Promise<LedgerVerification> {
  const unindexed = await countUnindexedEvents(db);
  return verifyEntries(readEntries(db, opts.pageSize), {
    unindexed,
    ...(opts.saved ? { saved: opts.saved } : {}),
    ...(opts.checkpoints ? { checkpoints: opts.checkpoints } : {}),
  });
}
