import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import type { JWK } from 'jose';
import { sql, type Kysely } from 'kysely';
import { ensureKeyPair, importPrivateJwk } from './auth/keys.ts';
import { ensureAuditorToken, ensureOperatorToken } from './auth/operator-token.ts';
import { verifyClientAssertion, type RequesterIdentity } from './auth/client-assertion.ts';
import type { Config } from './config.ts';
import {
  approveAndRelease,
  fetchResults,
  type ReleasedResults,
  type ResultSigner,
} from './disclosure/release.ts';
import { ConflictError, ForbiddenError, TaxgateError } from './errors.ts';
import { getBatch, listItemsWithOutcomes } from './intake/batches.store.ts';
import {
  drainQueue,
  processBatch,
  type PipelineOptions,
  type QueueFailure,
} from './intake/pipeline.ts';
import { submitBatch, type SubmitOptions } from './intake/submit.ts';
import { newId } from './ids.ts';
import { verifyLedger } from './ledger/events.store.ts';
import { ensureLedgerSigner } from './ledger/ledger-key.ts';
import { LedgerLog, type Receipt } from './ledger/publisher.ts';
import { ensureSubjectKey, subjectHash } from './ledger/subject.ts';
import { listCheckpoints } from './ledger/checkpoints.store.ts';
import {
  checkStoredCheckpoints,
  type LedgerVerification,
  type SavedRoot,
} from './ledger/verify.ts';
import { addOfficial, applyAgreementDocument, type NewOfficial } from './policy/agreement-admin.ts';
import { clearReviewFlags, type ReviewFlagView } from './policy/attestations.ts';
import { purgeExpired, type PurgeReport } from './policy/retention.ts';
import { certifyRecall, createRecalls, getRecall, type RecallView } from './policy/recall.ts';
import { liftHold, listHoldViews, placeHold, type HoldView } from './policy/holds.ts';
import {
  officialKeys,
  revokeOfficialKey,
  rotateOfficialKey,
  type OfficialKeyView,
} from './policy/official-keys.ts';
import { lockDataFolder, type DataFolderLock } from './storage/data-folder.ts';
import { migrateToLatest, openDatabase, pgliteDir, type DatabaseTarget } from './storage/db.ts';
import type { Database } from './storage/schema.ts';
import { importTaxpayerReturns, type ImportOptions } from './taxpayers/import.ts';
import { reindexAddressesOfRecord, tidyMatchingIndex } from './matching/engine.store.ts';
import { givenNamesCompatible } from './matching/given-names.ts';
import { trainModel, type TrainingReport } from './matching/training.ts';
import {
  decideReviewItem,
  explainItem,
  type ExplanationView,
  type ReviewDecision,
} from './review/review.ts';
import { countTaxpayers } from './taxpayers/taxpayers.store.ts';
import type { AccountingEntry, JctReport } from './reporting/accounting.ts';
import { checkAccountingDigests } from './reporting/accounting.store.ts';
import { jctReport, taxpayerAccounting } from './reporting/reports.ts';

/**
 * The composition root: opens the database (locking the data folder when it is
 * PGlite's), loads keys, and hands each capability only what it needs. The HTTP
 * server and the CLI are shells around the Taxgate object it returns.
 */
/**
 * How Taxgate.processBatch runs: the pipeline's options but the lease, which is its
 * own (a caller cannot run two pipelines under one worker's lease).
 */
export type ProcessOptions = Omit<PipelineOptions, 'worker' | 'leaseSeconds'> & {
  /** Called once if another worker holds the batch, with who holds it until when. */
  onWaiting?: (message: string) => void;
};

export interface Taxgate {
  config: Config;
  db: Kysely<Database>;
  target: DatabaseTarget;
  operatorToken: string;
  /** Read-only credential for the ledger's published routes (ADR 0008). */
  auditorToken: string;
  resultPublicJwk: JWK;
  /** Signed checkpoints, proofs, tiles and receipts of the ledger (docs/ledger.md). */
  ledger: LedgerLog;

  applyAgreement(doc: unknown, actor: string): ReturnType<typeof applyAgreementDocument>;
  addOfficial(input: NewOfficial, actor: string): Promise<{ id: string }>;
  /** Every key of an official, retired and revoked ones included. */
  officialKeys(officialId: string): Promise<OfficialKeyView[]>;
  /** A new current key for an official; its other keys are retired (kept). */
  rotateOfficialKey(
    officialId: string,
    publicJwk: unknown,
    actor: string,
  ): ReturnType<typeof rotateOfficialKey>;
  /** Revokes a key from a time (body `{ revoked_at?, reason }`). */
  revokeOfficialKey(
    officialId: string,
    thumbprint: string,
    input: unknown,
    actor: string,
  ): Promise<OfficialKeyView>;
  importTaxpayers(input: Readable, opts: ImportOptions): ReturnType<typeof importTaxpayerReturns>;
  countTaxpayers(): ReturnType<typeof countTaxpayers>;
  submitBatch(body: Buffer, opts?: SubmitOptions): ReturnType<typeof submitBatch>;
  /**
   * Validates and matches one batch under a lease of its own; while another worker holds
   * the batch, waits for it to finish (or for its lease to run out) instead, and says
   * so once through `onWaiting`.
   */
  processBatch(batchId: string, opts?: ProcessOptions): Promise<void>;
  /**
   * Processes every batch waiting in the queue; returns how many it finished. A batch
   * that fails is recorded, reported through `onFailure` and retried later (ADR 0010).
   */
  drainQueue(onFailure?: (failure: QueueFailure, err: unknown) => void): Promise<number>;
  batchStatus(batchId: string, requester?: RequesterIdentity): Promise<BatchStatus>;
  operatorView(batchId: string): Promise<OperatorView>;
  approve(batchId: string, actor: string): ReturnType<typeof approveAndRelease>;
  /** Lists disclosures a recall covers and records one notice per recipient (docs/cli.md#taxgate-recall). */
  recall(criteria: unknown, opts: { dryRun: boolean; actor: string }): Promise<RecallView[]>;
  getRecall(id: string): Promise<RecallView>;
  /** Records a recipient's disposal certificate for a recall. */
  certifyRecall(
    id: string,
    certificate: { bytes: Uint8Array; filename: string },
    actor: string,
  ): Promise<RecallView>;
  /** Removes request text past retention (docs/cli.md#taxgate-purge); `dryRun` only lists. */
  purge(opts: { dryRun: boolean; actor: string; now?: Date }): Promise<PurgeReport>;
  /** Clears a batch's review flags (over-attestation) with a note, so it can be released. */
  clearReviewFlags(batchId: string, note: string, actor: string): Promise<ReviewFlagView[]>;
  /** Places a suspension or hold (docs/api.md#holds); body as `HoldRequestSchema`. */
  placeHold(input: unknown, actor: string): Promise<HoldView>;
  /** Lifts a hold under the court order that ends it. */
  liftHold(holdId: string, input: unknown, actor: string): Promise<HoldView>;
  listHolds(opts?: { includeLifted?: boolean }): Promise<HoldView[]>;
  /** The released results with the ledger receipt of their release (docs/formats.md#receipt). */
  results(
    batchId: string,
    actor: string,
    requester?: RequesterIdentity,
  ): Promise<ReleasedResults & { log: Receipt }>;
  authenticateRequester(token: string): Promise<RequesterIdentity>;
  review(
    batchId: string,
    requestId: string,
    decision: ReviewDecision,
    actor: string,
  ): ReturnType<typeof decideReviewItem>;
  explain(batchId: string, requestId: string, actor: string): Promise<ExplanationView>;
  /** Rebuilds the matching index from the returns (after a normalisation change). */
  reindexTaxpayers(onProgress?: (tins: number) => void): Promise<number>;
  trainModel(actor: string): Promise<TrainingReport>;
  /** Checks the whole ledger as stored, and against a root saved earlier (docs/ledger.md). */
  verifyLedger(opts?: { saved?: SavedRoot; pageSize?: number }): Promise<LedgerVerification>;
  /** Every inspection and disclosure of one taxpayer (recorded as viewed). */
  accounting(tin: string, actor: string): Promise<{ subject: string; entries: AccountingEntry[] }>;
  /** The yearly report to the Joint Committee on Taxation (recorded). */
  jctReport(year: number, actor: string): Promise<JctReport>;
  /** The keyed hash that stands for a subject in ledger payloads, e.g. `subjectHash('tin:' + tin)`. */
  subjectHash(value: string): string;
  close(): Promise<void>;
}

export interface BatchStatus {
  batch_id: string;
  state: string;
  agreement_id: string | null;
  item_count: number;
  received_at: string;
  released_at: string | null;
  rejection_code: string | null;
}

export interface OperatorView extends BatchStatus {
  /** Failed attempts to process the batch (ADR 0010 §Failures): why it may still wait. */
  processing: { failed_attempts: number; last_error: string | null; retry_after: string | null };
  items: { request_id: string | null; outcome: string | null; reasons: string[] }[];
}

/** @example const tg = await openTaxgate(loadConfig(process.env)); await tg.close() */
export async function openTaxgate(
  config: Config,
  opts: { migrate?: boolean } = {},
): Promise<Taxgate> {
  let lock: DataFolderLock | null = null;
  let target: DatabaseTarget;
  if (config.databaseUrl) {
    target = { kind: 'postgres', url: config.databaseUrl };
  } else {
    lock = await lockDataFolder(config.dataDir);
    target = { kind: 'pglite', dir: pgliteDir(config.dataDir) };
  }
  let opened;
  try {
    opened = await openDatabase(target);
    if (opts.migrate !== false) {
      const { applied } = await migrateToLatest(opened.db);
      // 0009 rewrote the matching index: without a visibility map its probes visit the
      // heap again until a vacuum (which cannot run inside the migration's transaction).
      // Only slower without it, so a failure warns instead of refusing to open.
      if (applied.includes('0009-matching-writes')) {
        await tidyMatchingIndex(opened.db).catch((err: unknown) => {
          process.stderr.write(
            `taxgate: warning: the matching index was not vacuumed after migration 0009 (${err instanceof Error ? err.message : String(err)}); matching is slower until VACUUM ANALYZE taxpayer_blocking_keys, taxpayer_features runs\n`,
          );
        });
      }
    }
  } catch (err) {
    await opened?.close();
    await lock?.release();
    throw err;
  }
  const { db } = opened;
  const resultKey = await ensureKeyPair(join(config.dataDir, 'keys', 'result'));
  const signer: ResultSigner = {
    key: await importPrivateJwk(resultKey.privateJwk, 'the result key'),
    kid: resultKey.kid,
  };
  const { d: _d, ...resultPublicJwk } = resultKey.privateJwk;
  const operatorToken = await ensureOperatorToken(config.dataDir);
  const auditorToken = await ensureAuditorToken(config.dataDir);
  const subjectKey = await ensureSubjectKey(config.dataDir);
  const hashSubject = (value: string) => subjectHash(subjectKey, value);
  const ledger = new LedgerLog(db, await ensureLedgerSigner(config.dataDir, config.ledgerOrigin));
  const workerId = newId('wrk');
  // A PostgreSQL server works on one page's statements while we compare another's.
  const pipeline: PipelineOptions = { lanes: target.kind === 'postgres' ? 2 : 1 };

  const ownBatch = async (batchId: string, requester?: RequesterIdentity) => {
    const batch = await getBatch(db, batchId);
    // Object-level check: an agency sees only its own batches; others look absent.
    if (requester && batch.requesting_agency !== requester.agency) {
      throw new ForbiddenError('BATCH_NOT_FOUND', `no batch ${batchId}`);
    }
    return batch;
  };
  const status = (b: Awaited<ReturnType<typeof getBatch>>): BatchStatus => ({
    batch_id: b.id,
    state: b.state,
    agreement_id: b.agreement_id,
    item_count: b.item_count,
    received_at: new Date(b.received_at).toISOString(),
    released_at: b.released_at ? new Date(b.released_at).toISOString() : null,
    rejection_code: b.rejection_code,
  });

  return {
    config,
    db,
    target,
    operatorToken,
    auditorToken,
    resultPublicJwk: { ...resultPublicJwk, kid: resultKey.kid, use: 'sig' },
    ledger,
    applyAgreement: (doc, actor) => applyAgreementDocument(db, doc, actor),
    addOfficial: (input, actor) => addOfficial(db, input, actor),
    officialKeys: (id) => officialKeys(db, id),
    rotateOfficialKey: (id, jwk, actor) => rotateOfficialKey(db, id, jwk, actor),
    revokeOfficialKey: (id, tp, input, actor) => revokeOfficialKey(db, id, tp, input, actor),
    importTaxpayers: (input, o) => importTaxpayerReturns(db, input, o),
    countTaxpayers: () => countTaxpayers(db),
    submitBatch: (body, o) => submitBatch(db, body, o),
    async processBatch(id, o = {}) {
      const { onWaiting, ...options } = o;
      for (let waited = false; ; waited = true) {
        try {
          return await processBatch(db, id, { ...pipeline, subjectHash: hashSubject, ...options });
        } catch (err) {
          if (!(err instanceof ConflictError && err.code === 'BATCH_LEASED')) throw err;
          // Another worker has it: wait until it is done, or until its lease runs out
          // (it renews only while its pages commit).
          if (!waited) onWaiting?.(err.message);
          await setTimeout(1000);
        }
      }
    },
    drainQueue: (onFailure) =>
      drainQueue(db, {
        ...pipeline,
        subjectHash: hashSubject,
        worker: workerId,
        ...(onFailure ? { onFailure } : {}),
      }),
    batchStatus: async (id, requester) => status(await ownBatch(id, requester)),
    async operatorView(id) {
      const batch = await getBatch(db, id);
      const items = await listItemsWithOutcomes(db, id);
      return {
        ...status(batch),
        processing: {
          failed_attempts: batch.failed_attempts,
          last_error: batch.last_error,
          retry_after: batch.retry_after ? new Date(batch.retry_after).toISOString() : null,
        },
        items: items.map((i) => ({
          request_id: i.request_id,
          outcome: i.outcome,
          reasons: i.reasons ?? [],
        })),
      };
    },
    approve: (id, actor) => approveAndRelease(db, id, actor, signer, hashSubject),
    recall: (c, o) => createRecalls(db, c, o),
    getRecall: (id) => getRecall(db, id),
    certifyRecall: (id, cert, actor) => certifyRecall(db, id, cert, actor),
    purge: (o) => purgeExpired(db, { ...o, hash: hashSubject }),
    clearReviewFlags: (id, note, actor) => clearReviewFlags(db, id, note, actor),
    placeHold: (input, actor) => placeHold(db, input, actor, hashSubject),
    liftHold: (id, input, actor) => liftHold(db, id, input, actor),
    listHolds: (o) => listHoldViews(db, o),
    async results(id, actor, requester) {
      await ownBatch(id, requester);
      const results = await fetchResults(db, id, actor);
      // After the download is committed: the receipt needs a checkpoint covering the
      // release entry, which may have to be signed now (ADR 0008).
      return { ...results, log: await ledger.receipt(id) };
    },
    authenticateRequester: (token) => verifyClientAssertion(db, token),
    review: (id, requestId, decision, actor) =>
      decideReviewItem(db, id, requestId, decision, actor),
    explain: (id, requestId, actor) => explainItem(db, id, requestId, actor),
    reindexTaxpayers: (onProgress) => reindexAddressesOfRecord(db, onProgress),
    trainModel: (actor) => trainModel(db, givenNamesCompatible, { actor }),
    verifyLedger: (o) => verifyLedger(db, o),
    accounting: (tin, actor) => taxpayerAccounting(db, tin, actor, hashSubject),
    jctReport: (year, actor) => jctReport(db, year, actor),
    subjectHash: hashSubject,
    async close() {
      await opened.close();
      await lock?.release();
    },
  };
}

/** Read-only access to the ledger, for the offline verifier. */
export interface LedgerReader {
  target: DatabaseTarget;
  /**
   * Verifies the entries, against `saved` and every stored signed checkpoint (their
   * signatures checked with `vkey`; without a key only their roots are checked).
   */
  verify(opts?: { saved?: SavedRoot; vkey?: string | null; pageSize?: number }): Promise<{
    result: LedgerVerification;
    storedCheckpoints: number;
    /** Entries whose accounting digest was recomputed from the tables (migration 0005 on). */
    accounting: { pages: number; releases: number };
  }>;
  close(): Promise<void>;
}

/**
 * Opens only what `taxgate ledger verify` reads: the database (locking a PGlite folder),
 * without migrating it or creating keys, so it can run on a copy handed to an auditor.
 * @throws TaxgateError LEDGER_NOT_MIGRATED when the database predates the ledger (0004)
 * @example const reader = await openLedgerReader(config); try { await reader.verify() } finally { await reader.close() }
 */
export async function openLedgerReader(config: Config): Promise<LedgerReader> {
  let lock: DataFolderLock | null = null;
  let target: DatabaseTarget;
  if (config.databaseUrl) {
    target = { kind: 'postgres', url: config.databaseUrl };
  } else {
    lock = await lockDataFolder(config.dataDir);
    target = { kind: 'pglite', dir: pgliteDir(config.dataDir) };
  }
  let opened;
  try {
    opened = await openDatabase(target);
    const { rows: columns } = await sql`select 1 from information_schema.columns
      where table_schema = current_schema() and table_name = 'events'
        and column_name = 'leaf_hash'`.execute(opened.db);
    if (columns.length === 0) {
      throw new TaxgateError(
        'LEDGER_NOT_MIGRATED',
        'this database has no ledger yet (migration 0004-ledger): run `taxgate init` on it once to migrate it, then verify',
      );
    }
  } catch (err) {
    await opened?.close();
    await lock?.release();
    throw err;
  }
  const { db } = opened;
  // Migration 0005 brought the checkpoints; an older database simply has none.
  const { rows: tables } = await sql`select 1 from information_schema.tables
    where table_schema = current_schema() and table_name = 'ledger_checkpoints'`.execute(db);
  return {
    target,
    async verify(o = {}) {
      const migrated = tables.length > 0;
      const stored = migrated ? await listCheckpoints(db) : [];
      let accounting = { pages: 0, releases: 0 };
      const checkpoints = checkStoredCheckpoints(stored, o.vkey ?? null);
      if (typeof checkpoints === 'string') {
        return {
          result: { ok: false, entries: 0, index: null, message: checkpoints },
          storedCheckpoints: stored.length,
          accounting,
        };
      }
      let result = await verifyLedger(db, {
        checkpoints,
        ...(o.saved ? { saved: o.saved } : {}),
        ...(o.pageSize ? { pageSize: o.pageSize } : {}),
      });
      // Only once the entries are sound do their digests say what the tables must hold.
      if (result.ok && migrated) {
        const check = await checkAccountingDigests(db);
        if (check.ok) accounting = { pages: check.pages, releases: check.releases };
        else
          result = {
            ok: false,
            entries: result.entries,
            index: check.index,
            message: check.message,
          };
      }
      return { result, storedCheckpoints: stored.length, accounting };
    },
    async close() {
      await opened.close();
      await lock?.release();
    },
  };
}
