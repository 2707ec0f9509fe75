import { sql, type Transaction } from 'kysely';
import { storableRequestId, type NewOutcome } from '../intake/batches.store.ts';
import type { Database } from '../storage/schema.ts';
import { subjectHashesToStore, type SubjectHasher } from './subject-identity.ts';

/** What the window needs to know of the batch being validated. */
export interface WindowBatch {
  id: string;
  agreement_id: string | null;
  received_at: Date | string;
  rule_set_version: string;
}

/**
 * The agreement's duplicate window across batches (`duplicate_window_days`): an item
 * whose subject (any of its identifiers, ADR 0007) was requested under the same
 * agreement in another batch received within the window of this one (before or after)
 * and screened first is a duplicate (`DUPLICATE_SUBJECT_IN_WINDOW`). The other lawful items of the page are recorded in
 * `item_subjects` by keyed hash only, for later batches, the purge and the accounting.
 *
 * Runs inside the page's transaction under a per-agreement advisory lock, so two
 * batches validated at once cannot both let the same subject through. Replaying a
 * page is harmless: this batch's own rows are never counted against it.
 * Returns the duplicates' outcomes, for the caller to record with the page's others.
 * @example outcomes.push(...(await windowDuplicates(trx, batch, 180, lawful, hash)))
 */
export async function windowDuplicates(
  trx: Transaction<Database>,
  batch: WindowBatch,
  windowDays: number,
  items: { position: number; item: unknown }[],
  hash: SubjectHasher,
): Promise<NewOutcome[]> {
  const dupes = await screen(trx, batch, windowDays, items, hash);
  return items
    .filter((i) => dupes.has(i.position))
    .map(({ position, item }) => ({
      position,
      request_id: storableRequestId(item),
      outcome: 'REJECTED_DUPLICATE',
      reasons: ['DUPLICATE_SUBJECT_IN_WINDOW'],
      rule_set_version: batch.rule_set_version,
      model_version: null,
    }));
}

async function screen(
  trx: Transaction<Database>,
  batch: WindowBatch,
  windowDays: number,
  items: { position: number; item: unknown }[],
  hash: SubjectHasher,
): Promise<Set<number>> {
  const dupes = new Set<number>();
  if (items.length === 0 || !batch.agreement_id) return dupes;
  const hashed = items.map(({ position, item }) => {
    const h =
      item && typeof item === 'object'
        ? subjectHashesToStore(item, hash)
        : { all: [] as string[], stored: [] as string[] };
    return { position, hashes: h.all, stored: h.stored };
  });
  await sql`select pg_advisory_xact_lock(hashtextextended(${`taxgate:window:${batch.agreement_id}`}, 0))`.execute(
    trx,
  );
  const all = [...new Set(hashed.flatMap((h) => h.hashes))];
  if (windowDays > 0 && all.length > 0) {
    // Both ways in time: batches are screened in the order they are processed, not
    // received (several workers, or an earlier batch with more pages), and under the
    // lock the first one screened keeps the subject, so the same subject never passes
    // twice within the window whichever batch is screened first.
    const receivedAt = new Date(batch.received_at).getTime();
    const from = new Date(receivedAt - windowDays * 86_400_000);
    const to = new Date(receivedAt + windowDays * 86_400_000);
    const { rows } = await sql<{ subject_hash: string }>`
      select distinct s.subject_hash from item_subjects s join batches b on b.id = s.batch_id
       where s.subject_hash = any(${all}::text[])
         and b.agreement_id = ${batch.agreement_id} and b.id <> ${batch.id}
         and b.received_at >= ${from} and b.received_at <= ${to}`.execute(trx);
    const seen = new Set(rows.map((r) => r.subject_hash));
    for (const h of hashed) if (h.hashes.some((x) => seen.has(x))) dupes.add(h.position);
  }
  const keep = hashed.filter((h) => !dupes.has(h.position));
  const positions = keep.flatMap((h) => h.stored.map(() => h.position));
  const hashes = keep.flatMap((h) => h.stored);
  if (hashes.length > 0) {
    await sql`insert into item_subjects (batch_id, position, subject_hash)
      select ${batch.id}, * from unnest(${positions}::int[], ${hashes}::text[])
      on conflict do nothing`.execute(trx);
  }
  return dupes;
}

/**
 * Takes back the subjects the window recorded for items refused after all (judged again
 * under rules changed since validation): as an item refused at validation, never
 * answered, they must not make a later request for the same person a duplicate.
 */
export async function forgetSubjects(
  trx: Transaction<Database>,
  batchId: string,
  positions: number[],
): Promise<void> {
  if (positions.length === 0) return;
  await sql`delete from item_subjects
             where batch_id = ${batchId} and position = any(${positions}::int[])`.execute(trx);
}
