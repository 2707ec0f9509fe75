import { sql, type Kysely } from 'kysely';
import { appendEvents } from '../ledger/events.store.ts';
import type { Database } from '../storage/schema.ts';
import { subjectHashesToStore, type SubjectHasher } from './subject-identity.ts';

/**
 * Retention (issue 4 §6, DESIGN.md §Security): `retention_days` after a batch is
 * released, its request text (the items as received: names, addresses, reasons…) is
 * removed. What stays: the request ids, the keyed hashes of each item's subject
 * (`item_subjects`, ADR 0007), the outcomes, the explanations (TINs inspected and
 * comparison levels), the accounting tables (each inspection and disclosure by subject
 * hash with the request id, statute and reason it was made for: §6103(p)(3)(A) keeps
 * the purpose with the accounting, ADR 0009), the signed result document and the
 * ledger. Batches never released keep their request text: not purged yet. The retention is the one of the agreement version the batch was received
 * under: what was promised when the data came in.
 */

/** A batch whose request text is due for removal (no request data in it). */
export interface PurgeCandidate {
  batch_id: string;
  agreement_id: string;
  released_at: string;
  retention_days: number;
  items: number;
}

export interface PurgeReport {
  dry_run: boolean;
  batches: PurgeCandidate[];
  items: number;
}

/** Released batches past their retention and not purged yet, oldest release first. */
export async function purgeCandidates(db: Kysely<Database>, now: Date): Promise<PurgeCandidate[]> {
  const { rows } = await sql<{
    batch_id: string;
    agreement_id: string;
    released_at: Date | string;
    retention_days: number;
    items: number;
  }>`
    select b.id as batch_id, b.agreement_id, b.released_at,
           (a.document ->> 'retention_days')::int as retention_days, b.item_count as items
      from batches b
      join agreements a on a.id = b.agreement_id and a.version = b.agreement_version
     where b.state = 'released'
       and b.released_at + make_interval(days => (a.document ->> 'retention_days')::int) <= ${now}
       and not exists (select 1 from batch_purges p where p.batch_id = b.id)
     order by b.released_at, b.id`.execute(db);
  return rows.map((r) => ({
    ...r,
    released_at: new Date(r.released_at).toISOString(),
    retention_days: Number(r.retention_days),
    items: Number(r.items),
  }));
}

const PAGE = 2000;

/**
 * Removes the request text of every batch past its retention, one transaction per
 * batch with its `batch.purged` event (fail closed: no event, no purge). Before the
 * text goes, the keyed hashes of every item's subject are kept. With `dryRun`, only
 * lists what it would remove: per batch, counts and dates, never request data.
 * @example await purgeExpired(db, { dryRun: true, actor: 'operator:ann', hash })
 */
export async function purgeExpired(
  db: Kysely<Database>,
  opts: { dryRun: boolean; actor: string; hash: SubjectHasher; now?: Date },
): Promise<PurgeReport> {
  const now = opts.now ?? new Date();
  const candidates = await purgeCandidates(db, now);
  const report = (batches: PurgeCandidate[]): PurgeReport => ({
    dry_run: opts.dryRun,
    batches,
    items: batches.reduce((n, b) => n + b.items, 0),
  });
  if (opts.dryRun) return report(candidates);
  const done: PurgeCandidate[] = [];
  for (const c of candidates) {
    const purged = await db.transaction().execute(async (trx) => {
      // Taken first: a concurrent purge of the same batch waits, then finds it done.
      const claimed = await sql`insert into batch_purges (batch_id, purged_by, items)
        values (${c.batch_id}, ${opts.actor}, ${c.items}) on conflict do nothing
        returning batch_id`.execute(trx);
      if (claimed.rows.length !== 1) return false;
      for (let after = -1; ;) {
        const page = await trx
          .selectFrom('batch_items')
          .select(['position', 'item'])
          .where('batch_id', '=', c.batch_id)
          .where('position', '>', after)
          .where('item', '<>', 'null')
          .orderBy('position')
          .limit(PAGE)
          .execute();
        if (page.length === 0) break;
        after = page[page.length - 1]!.position;
        const positions: number[] = [];
        const hashes: string[] = [];
        for (const { position, item } of page) {
          const parsed = JSON.parse(item) as unknown;
          if (!parsed || typeof parsed !== 'object') continue;
          // What the duplicate window stores of an item, and no more (subjectHashesToStore).
          for (const h of subjectHashesToStore(parsed, opts.hash).stored) {
            positions.push(position);
            hashes.push(h);
          }
        }
        if (hashes.length > 0) {
          await sql`insert into item_subjects (batch_id, position, subject_hash)
            select ${c.batch_id}, * from unnest(${positions}::int[], ${hashes}::text[])
            on conflict do nothing`.execute(trx);
        }
      }
      // JSON null: readers of items still parse it; nothing of the request remains.
      await trx
        .updateTable('batch_items')
        .set({ item: 'null' })
        .where('batch_id', '=', c.batch_id)
        .execute();
      await appendEvents(trx, [
        {
          type: 'batch.purged',
          actor: opts.actor,
          batchId: c.batch_id,
          payload: {
            items: c.items,
            retention_days: c.retention_days,
            released_at: c.released_at,
          },
        },
      ]);
      return true;
    });
    if (purged) done.push(c);
  }
  return report(done);
}
