import type { Kysely } from 'kysely';
import { matchPage } from '../matching/engine.ts';
import { activeModel, keepBlockingSerial } from '../matching/engine.store.ts';
import { givenNamesCompatible } from '../matching/given-names.ts';
import { findAgreementVersion } from '../policy/agreements.store.ts';
import { forgetSubjects, windowDuplicates } from '../policy/duplicate-window.ts';
import { suspendHeldItems } from '../policy/holds.ts';
import type { SubjectHasher } from '../policy/subject-identity.ts';
import {
  BatchItemJudge,
  passedItem,
  RULE_SET_VERSION,
  validateItem,
  type ItemRuleContext,
  type ValidItem,
} from '../policy/item-rules.ts';
import type { Database } from '../storage/schema.ts';
import { appendEvents } from '../ledger/events.store.ts';
import { recordInspections } from '../reporting/accounting.store.ts';
import { ConflictError } from '../errors.ts';
import { newId } from '../ids.ts';
import { failureCode, isBatchFailure, retryDelaySeconds } from './retries.ts';
import {
  claimBatch,
  claimNextBatch,
  recordProcessingFailure,
  countOutcomes,
  getBatch,
  leaseFence,
  releaseLease,
  renewLease,
  insertEvidencePage,
  storableRequestId,
  insertOutcomes,
  readItems,
  readUndecidedItems,
  transition,
  type NewOutcome,
} from './batches.store.ts';

export interface PipelineOptions {
  /** Items per page and per transaction. */
  pageSize?: number;
  /**
   * Pages matched at once (default 1). More than one pays on a PostgreSQL server,
   * which runs one page's statements while this process compares another's; PGlite
   * runs in this thread, so there it only interleaves.
   */
  lanes?: number;
  /**
   * Who holds the batch's lease while this runs (default: a new worker id). The
   * queue passes the id it claimed the batch with; anyone else waits for that lease.
   */
  worker?: string;
  /** Length of the lease, renewed as pages commit once a third of it has passed (keepLease). */
  leaseSeconds?: number;
  /**
   * Called as each phase starts (done = 0) and after each committed page with items done
   * so far; a promise it returns is awaited before the next page.
   */
  onProgress?: (phase: 'validate' | 'match', done: number, total: number) => void | Promise<void>;
  /**
   * Where the match phase's time goes: milliseconds per part, summed over pages (and
   * over lanes, so with several lanes the parts add up to more than the phase took).
   * `npm run bench` prints them.
   */
  matchTimings?: MatchTimings;
}

/** Milliseconds per part of matching (see PipelineOptions.matchTimings). */
export type MatchTimings = Map<string, number>;

/** Runs `work`, adding its time to `part` in `timings` when there are timings to keep. */
async function timed<T>(
  timings: MatchTimings | undefined,
  part: string,
  work: () => Promise<T>,
): Promise<T> {
  if (!timings) return work();
  const start = performance.now();
  try {
    return await work();
  } finally {
    timings.set(part, (timings.get(part) ?? 0) + performance.now() - start);
  }
}

/**
 * The keyed hash of subjects (Taxgate passes the data folder's): subject holds apply
 * while matching (src/policy/holds.ts), and the accounting names returns by it.
 */
type Holds = { subjectHash: SubjectHasher };

/** The options of one run, with the worker that holds the batch's lease and the lease. */
type Run = PipelineOptions & Holds & { worker: string; lease: Lease };

/** How long a worker holds a batch without renewing it (the queue claims for as long). */
export const LEASE_SECONDS = 120;

const WORKER_ACTOR = 'system:pipeline';

/**
 * Takes a batch from `received` through validation to `matched`. Every page of
 * outcomes commits with its event; an interrupted run resumes where the last
 * committed page ended, and replays neither lose nor duplicate an outcome.
 * Only items that passed every rule are matched: no taxpayer row is read for
 * the others.
 * @example await processBatch(db, 'bat_…')
 */
export async function processBatch(
  db: Kysely<Database>,
  batchId: string,
  opts: PipelineOptions & Holds,
): Promise<void> {
  const pageSize = opts.pageSize ?? 5000;
  const worker = opts.worker ?? newId('wrk');
  const leaseSeconds = opts.leaseSeconds ?? LEASE_SECONDS;
  let lease: Lease | null = null;
  try {
    // One worker at a time per batch: two would read the same returns, and the one
    // whose outcomes lost the race could not account for what it read.
    if (!(await claimBatch(db, batchId, worker, leaseSeconds))) {
      const batch = await getBatch(db, batchId);
      if (batch.state !== 'received' && batch.state !== 'validated') return; // nothing to do
      const until = batch.lease_until ? new Date(batch.lease_until).toISOString() : 'now';
      throw new ConflictError(
        'BATCH_LEASED',
        `batch ${batchId} is being processed by another worker (its lease runs until ${until})`,
      );
    }
    lease = keepLease(db, batchId, worker, leaseSeconds);
    const run: Run = { ...opts, worker, lease };
    let batch = await getBatch(db, batchId);
    if (batch.state === 'received') {
      await validatePhase(db, batchId, pageSize, run);
      batch = await getBatch(db, batchId);
    }
    if (batch.state === 'validated') await matchPhase(db, batchId, pageSize, run);
  } finally {
    lease?.stop();
    // Best effort (only ever this worker's own lease): one not given back runs out.
    await releaseLease(db, batchId, worker).catch(() => undefined);
  }
}

/** A batch the queue could not process this time (ADR 0010 §Failures). */
export interface QueueFailure {
  batch_id: string;
  /** The error's code (failureCode): never its message, which could echo input. */
  error: string;
  failed_attempts: number;
  /** When the queue tries it again. */
  retry_after: string;
}

/**
 * Processes every batch waiting in the queue, oldest first, under `worker`'s leases;
 * returns how many it finished. A batch that fails is recorded as failed
 * (recordProcessingFailure: its attempts, error code, an event) and left until its
 * retry time while the queue goes on with the next, so one batch that keeps failing
 * never holds up the others. The drain stops with an error only when the queue itself
 * fails (a claim, or the record of a failure, cannot be written): the batch is then
 * tried again at the worker's next drain.
 * @example await drainQueue(db, { subjectHash, worker, onFailure: (f) => log(f) })
 */
export async function drainQueue(
  db: Kysely<Database>,
  opts: PipelineOptions &
    Holds & { worker: string; onFailure?: (failure: QueueFailure, err: unknown) => void },
): Promise<number> {
  const { onFailure, ...run } = opts;
  let finished = 0;
  for (;;) {
    const id = await claimNextBatch(db, opts.worker, opts.leaseSeconds ?? LEASE_SECONDS);
    if (!id) return finished;
    try {
      // Processing renews the lease it was claimed with, and gives it back at the end.
      await processBatch(db, id, run);
      finished++;
    } catch (err) {
      if (!isBatchFailure(err)) continue; // another worker has it now
      const error = failureCode(err);
      const recorded = await recordProcessingFailure(db, id, {
        worker: opts.worker,
        error,
        actor: WORKER_ACTOR,
        delaySeconds: retryDelaySeconds,
      });
      if (recorded) onFailure?.({ batch_id: id, error, ...recorded }, err);
    }
  }
}

/** A worker's hold on the batch it processes (keepLease). */
export interface Lease {
  /** A page committed: the work is alive, so the lease is extended when it is due. */
  progressed(): void;
  /** No more renewals (the lease itself is given back by releaseLease). */
  stop(): void;
}

/**
 * Renews `worker`'s lease on a batch as its pages commit, at most every third of the
 * lease's length: a long batch keeps its lease, while a worker alive but stuck (no page
 * committing) lets it run out for another worker to take over. A page in flight needs
 * no renewal: it holds the batch row (leaseFence). One renewal at a time — on PostgreSQL
 * it waits behind the other lane's page — and none awaited: a renewal that fails is left
 * to the next page, and a lease another worker took is not renewed (leaseFence then
 * stops this worker's next page).
 * @example const lease = keepLease(db, batchId, worker, LEASE_SECONDS); … lease.progressed()
 */
export function keepLease(
  db: Kysely<Database>,
  batchId: string,
  worker: string,
  leaseSeconds: number,
): Lease {
  let renewedAt = performance.now(); // the claim
  let renewing = false;
  let stopped = false;
  return {
    progressed() {
      const now = performance.now();
      if (stopped || renewing || now - renewedAt < (leaseSeconds * 1000) / 3) return;
      renewing = true;
      renewedAt = now;
      void renewLease(db, batchId, worker, leaseSeconds)
        .catch(() => false)
        .finally(() => (renewing = false));
    },
    stop: () => void (stopped = true),
  };
}

async function judgeContext(db: Kysely<Database>, batchId: string) {
  const batch = await getBatch(db, batchId);
  const agreement = await findAgreementVersion(db, batch.agreement_id!, batch.agreement_version!);
  // Rules are judged as of the day the batch was received, however late it is processed.
  const today = new Date(batch.received_at).toISOString().slice(0, 10);
  return { batch, ctx: { agreement, today } };
}

async function validatePhase(db: Kysely<Database>, batchId: string, pageSize: number, opts: Run) {
  const { batch, ctx } = await judgeContext(db, batchId);
  const judge = new BatchItemJudge(ctx);
  await opts.onProgress?.('validate', 0, batch.item_count);
  let after = -1;
  let rejected = 0;
  for (;;) {
    const page = await readItems(db, batchId, after, pageSize);
    if (page.length === 0) break;
    after = page[page.length - 1]!.position;
    const outcomes: NewOutcome[] = [];
    const lawful: typeof page = [];
    for (const { position, item } of page) {
      const v = judge.judge(item);
      if (v.valid) lawful.push({ position, item });
      if (!v.valid) {
        outcomes.push({
          position,
          request_id: storableRequestId(item),
          outcome: v.result,
          reasons: v.reasons,
          rule_set_version: batch.rule_set_version,
          model_version: null,
        });
      }
    }
    await db.transaction().execute(async (trx) => {
      await leaseFence(trx, batchId, opts.worker);
      // The same subject in another batch within the agreement's window (src/policy).
      const window = ctx.agreement.duplicate_window_days;
      outcomes.push(...(await windowDuplicates(trx, batch, window, lawful, opts.subjectHash)));
      rejected += outcomes.length;
      const written = await insertOutcomes(trx, batchId, outcomes);
      if (written.length > 0) {
        await appendEvents(trx, [
          { type: 'items.rejected', actor: WORKER_ACTOR, batchId, payload: summarise(written) },
        ]);
      }
    });
    opts.lease.progressed();
    await opts.onProgress?.('validate', after + 1, batch.item_count);
  }
  await db.transaction().execute(async (trx) => {
    await leaseFence(trx, batchId, opts.worker);
    await transition(trx, batchId, 'received', 'validated', {
      type: 'batch.validated',
      actor: WORKER_ACTOR,
      batchId,
      payload: {
        rule_set_version: batch.rule_set_version,
        valid: batch.item_count - rejected,
        rejected,
      },
    });
  });
}

async function matchPhase(db: Kysely<Database>, batchId: string, pageSize: number, opts: Run) {
  const batch = await getBatch(db, batchId);
  // Validated under other rules (this program was upgraded between the two phases):
  // judge each item again before any taxpayer row is read for it.
  const rejudge =
    batch.rule_set_version === RULE_SET_VERSION ? null : (await judgeContext(db, batchId)).ctx;
  const decided = Object.values(await countOutcomes(db, batchId)).reduce((a, b) => a + b, 0);
  const toMatch = batch.item_count - decided;
  // One model for the whole batch, so every outcome of it is explained alike.
  const model = await activeModel(db);
  await opts.onProgress?.('match', 0, toMatch);
  // Pages are claimed in order, one read at a time; with several lanes one page's
  // comparisons run while another's statements are at the database server.
  let after = -1;
  let claiming: Promise<unknown> = Promise.resolve();
  let failed = false;
  const claimPage = () => {
    const page = claiming.then(async () => {
      if (failed) return [];
      const items = await timed(opts.matchTimings, 'read items', () =>
        readUndecidedItems(db, batchId, after, pageSize),
      );
      if (items.length > 0) after = items[items.length - 1]!.position;
      return items;
    });
    claiming = page.catch(() => undefined);
    return page;
  };
  let done = 0;
  const lane = async () => {
    for (;;) {
      const page = await claimPage();
      if (page.length === 0) return;
      await matchOnePage(db, batch, model, page, rejudge, opts);
      done += page.length;
      opts.lease.progressed();
      await opts.onProgress?.('match', done, toMatch);
    }
  };
  const lanes = await Promise.allSettled(
    Array.from({ length: Math.max(1, opts.lanes ?? 1) }, () =>
      lane().catch((err: unknown) => {
        failed = true; // the other lanes stop at their next page
        throw err;
      }),
    ),
  );
  const failure = lanes.find((l) => l.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
  const counts = await countOutcomes(db, batchId);
  // Items the engine could not decide hold the batch in review until a person decides them.
  const next = counts.PENDING_REVIEW ? 'in_review' : 'matched';
  await db.transaction().execute(async (trx) => {
    await leaseFence(trx, batchId, opts.worker);
    await transition(trx, batchId, 'validated', next, {
      type: next === 'in_review' ? 'batch.in_review' : 'batch.matched',
      actor: WORKER_ACTOR,
      batchId,
      payload: { outcomes: counts, model_version: model.version },
    });
  });
}

/** Matches one page of undecided items and commits its outcomes, evidence and event. */
async function matchOnePage(
  db: Kysely<Database>,
  batch: Awaited<ReturnType<typeof getBatch>>,
  model: Awaited<ReturnType<typeof activeModel>>,
  page: Awaited<ReturnType<typeof readUndecidedItems>>,
  rejudge: ItemRuleContext | null,
  opts: Run,
): Promise<void> {
  const { subjectHash, matchTimings: timings } = opts;
  const batchId = batch.id;
  // The validation phase passed every item still without an outcome: take its clean
  // fields, unless the rules changed since, when each is judged again. One that no longer
  // passes is refused as validation would refuse it, under the rules that judged it, and
  // nothing is read for it; the others are matched (one bad item never sinks its batch).
  const items: { position: number; item: ValidItem }[] = [];
  const refused: NewOutcome[] = [];
  for (const { position, item } of page) {
    if (!rejudge) {
      items.push({ position, item: passedItem(item) });
      continue;
    }
    const v = validateItem(item, rejudge);
    if (v.valid) items.push({ position, item: v.item });
    else
      refused.push({
        position,
        request_id: storableRequestId(item),
        outcome: v.result,
        reasons: v.reasons,
        rule_set_version: RULE_SET_VERSION,
        model_version: null,
      });
  }
  const passed = new Set(items.map((i) => i.position));
  const lawful = refused.length === 0 ? page : page.filter((p) => passed.has(p.position));
  await db.transaction().execute(async (trx) => {
    await leaseFence(trx, batchId, opts.worker);
    await keepBlockingSerial(trx);
    if (refused.length > 0) {
      const written = await insertOutcomes(trx, batchId, refused);
      await forgetSubjects(
        trx,
        batchId,
        refused.map((r) => r.position),
      );
      if (written.length > 0)
        await appendEvents(trx, [
          {
            type: 'items.rejected',
            actor: WORKER_ACTOR,
            batchId,
            payload: { ...summarise(written), rule_set_version: RULE_SET_VERSION },
          },
        ]);
    }
    // Held items get SUSPENDED and are not matched (src/policy/holds.ts).
    const held = await timed(timings, 'holds', () =>
      suspendHeldItems(trx, batch, lawful, subjectHash),
    );
    const toMatch = items.filter((i) => !held.has(i.position));
    const proposals = await matchPage(trx, toMatch, {
      model,
      compatible: givenNamesCompatible,
      ...(timings ? { timings } : {}),
    });
    const requestIds = new Map(toMatch.map((i) => [i.position, i.item.request_id]));
    const written = await timed(timings, 'write outcomes', () =>
      insertOutcomes(
        trx,
        batchId,
        proposals.map((p) => ({
          position: p.position,
          request_id: requestIds.get(p.position)!,
          outcome: p.outcome,
          reasons: p.reasons,
          rule_set_version: batch.rule_set_version,
          model_version: model.version,
        })),
        { existing: 'fail' },
      ),
    );
    // Every proposal was written: a page is its items' only writer (insertOutcomes).
    if (written.length > 0) {
      await timed(timings, 'write evidence', () =>
        insertEvidencePage(trx, batchId, model.version, proposals),
      );
      const accounting = await timed(timings, 'write accounting', () =>
        recordInspections(trx, { batchId, items: lawful, proposals, subjectHash }),
      );
      await timed(timings, 'write ledger', () =>
        appendEvents(trx, [
          {
            type: 'items.matched',
            actor: WORKER_ACTOR,
            batchId,
            payload: { ...summarise(written), model_version: model.version, ...accounting },
          },
        ]),
      );
    }
  });
}

function summarise(outcomes: NewOutcome[]): Record<string, unknown> {
  const byOutcome: Record<string, number> = {};
  for (const o of outcomes) byOutcome[o.outcome] = (byOutcome[o.outcome] ?? 0) + 1;
  return {
    items: outcomes.length,
    outcomes: byOutcome,
    first_position: outcomes[0]!.position,
    last_position: outcomes[outcomes.length - 1]!.position,
  };
}
