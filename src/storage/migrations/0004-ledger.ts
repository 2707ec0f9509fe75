import { sql, type Kysely } from 'kysely';
import { LEDGER_LOCK_KEY, occurredAtIso } from '../../ledger/events.store.ts';
import type { JsonValue } from '../../ledger/jcs.ts';
import { encodeLeaf } from '../../ledger/leaf.ts';
import { leafHash } from '../../ledger/merkle.ts';

const BACKFILL_PAGE = 1000;

/**
 * The Merkle log (issue 5, docs/ledger.md, ADR 0006): every event row gets its position
 * `leaf_index`, its stored bytes `leaf` and `leaf_hash`.
 *
 * Events recorded before this migration become the first entries of the log, in the
 * order they were written (`seq`), with `occurred_at` truncated to the millisecond in
 * their leaves: the accounting stays one log from the first event, instead of a log that
 * starts today beside an unprotected history. The backfill is the one time rows of
 * `events` are updated, with the append-only trigger off inside this transaction; the
 * recorded columns themselves are left as they were.
 *
 * From here on the database itself keeps the log's order: `ledger_next_index()` takes the
 * ledger lock (a transaction-level advisory lock, so the application role needs no
 * UPDATE right anywhere in the ledger) and returns the next index; a BEFORE INSERT
 * trigger takes the same lock and refuses a row whose index is not exactly the next one
 * or whose leaf hash is not SHA-256(0x00 ‖ leaf).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table events
    add column leaf_index bigint,
    add column leaf bytea,
    add column leaf_hash bytea`.execute(db);

  await sql`alter table events disable trigger events_no_update`.execute(db);
  let index = 0;
  let afterSeq = '0';
  for (;;) {
    const { rows } = await sql<{
      seq: string;
      type: string;
      actor: string;
      batch_id: string | null;
      occurred_at: string;
      payload: { [key: string]: JsonValue };
    }>`select seq::text as seq, type, actor, batch_id,
         ${occurredAtIso('occurred_at')} as occurred_at, payload
       from events where seq > ${afterSeq}::bigint order by seq limit ${BACKFILL_PAGE}`.execute(db);
    if (rows.length === 0) break;
    const seqs: string[] = [];
    const indexes: string[] = [];
    const leaves: string[] = [];
    const hashes: string[] = [];
    for (const r of rows) {
      const leaf = encodeLeaf({
        type: r.type,
        actor: r.actor,
        batch_id: r.batch_id,
        occurred_at: r.occurred_at,
        payload: r.payload,
        index,
      });
      seqs.push(r.seq);
      indexes.push(String(index));
      leaves.push(Buffer.from(leaf).toString('hex'));
      hashes.push(Buffer.from(leafHash(leaf)).toString('hex'));
      index++;
    }
    await sql`update events e
      set leaf_index = u.leaf_index, leaf = decode(u.leaf, 'hex'), leaf_hash = decode(u.leaf_hash, 'hex')
      from unnest(${seqs}::bigint[], ${indexes}::bigint[], ${leaves}::text[], ${hashes}::text[])
        as u(seq, leaf_index, leaf, leaf_hash)
      where e.seq = u.seq`.execute(db);
    afterSeq = rows[rows.length - 1]!.seq;
  }
  await sql`alter table events enable trigger events_no_update`.execute(db);

  await sql`alter table events
    alter column leaf_index set not null,
    alter column leaf set not null,
    alter column leaf_hash set not null,
    add constraint events_leaf_index_ck check (leaf_index >= 0),
    add constraint events_leaf_hash_ck check (octet_length(leaf_hash) = 32)`.execute(db);
  await sql`create unique index events_leaf_index_uq on events (leaf_index)`.execute(db);

  await sql
    .raw(
      `create function ledger_next_index() returns bigint language plpgsql volatile as $$
    begin
      -- Held until the transaction ends. The query below runs after it is granted, with a
      -- snapshot of its own, so it sees the entries of every earlier holder.
      perform pg_advisory_xact_lock(${LEDGER_LOCK_KEY});
      return (select coalesce(max(leaf_index) + 1, 0) from events);
    end $$`,
    )
    .execute(db);
  await sql`
    create function events_append_check() returns trigger language plpgsql as $$
    declare
      expected bigint := ledger_next_index();
    begin
      if new.leaf_index is distinct from expected then
        raise exception 'events: leaf_index % refused, the next entry of the log is %',
          new.leaf_index, expected using errcode = 'P0001';
      end if;
      if new.leaf_hash is distinct from sha256(decode('00', 'hex') || new.leaf) then
        raise exception 'events: leaf_hash of entry % is not SHA-256(0x00 || leaf)',
          new.leaf_index using errcode = 'P0001';
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger events_append_check before insert on events
    for each row execute function events_append_check()`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('taxgate migrations are forward-only');
}
