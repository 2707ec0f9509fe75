import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { JWK } from 'jose';
import { sql, type Kysely } from 'kysely';
import { ensureKeyPair, importPrivateJwk } from './auth/keys.ts';
import { ensureOperatorToken } from './auth/operator-token.ts';
import { verifyClientAssertion, type RequesterIdentity } from './auth/client-assertion.ts';
import type { Config } from './config.ts';
import { approveAndRelease, fetchResults, type ResultSigner } from './disclosure/release.ts';
import { ForbiddenError, TaxgateError } from './errors.ts';
import {
  claimNextBatch,
  getBatch,
  listItemsWithOutcomes,
  releaseLease,
} from './intake/batches.store.ts';
import { processBatch, type PipelineOptions } from './intake/pipeline.ts';
import { submitBatch, type SubmitOptions } from './intake/submit.ts';
import { newId } from './ids.ts';
import { verifyLedger } from './ledger/events.store.ts';
import { ensureSubjectKey, subjectHash } from './ledger/subject.ts';
import type { LedgerVerification, SavedRoot } from './ledger/verify.ts';
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
import { reindexAddressesOfRecord } from './matching/engine.store.ts';
import { givenNamesCompatible } from './matching/given-names.ts';
import { trainModel, type TrainingReport } from './matching/training.ts';
import {
  decideReviewItem,
  explainItem,
  type ExplanationView,
  type ReviewDecision,
} from './review/review.ts';
import { countTaxpayers } from './taxpayers/taxpayers.store.ts';

/**
 * The composition root: opens the database (locking the data folder when it is
 * PGlite's), loads keys, and hands each capability only what it needs. The HTTP
 * server and the CLI are shells around the Taxgate object it returns.
 */
export interface Taxgate {
  config: Config;
  db: Kysely<Database>;
  target: DatabaseTarget;
  operatorToken: string;
  resultPublicJwk: JWK;

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
  processBatch(batchId: string, opts?: PipelineOptions): Promise<void>;
  /** Processes every batch waiting in the queue; returns how many it finished. */
  drainQueue(): Promise<number>;
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
  results(
    batchId: string,
    actor: string,
    requester?: RequesterIdentity,
  ): ReturnType<typeof fetchResults>;
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
    if (opts.migrate !== false) await migrateToLatest(opened.db);
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
  const subjectKey = await ensureSubjectKey(config.dataDir);
  const workerId = newId('wrk');
  const hashSubject = (value: string) => subjectHash(subjectKey, value);

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
    resultPublicJwk: { ...resultPublicJwk, kid: resultKey.kid, use: 'sig' },
    applyAgreement: (doc, actor) => applyAgreementDocument(db, doc, actor),
    addOfficial: (input, actor) => addOfficial(db, input, actor),
    officialKeys: (id) => officialKeys(db, id),
    rotateOfficialKey: (id, jwk, actor) => rotateOfficialKey(db, id, jwk, actor),
    revokeOfficialKey: (id, tp, input, actor) => revokeOfficialKey(db, id, tp, input, actor),
    importTaxpayers: (input, o) => importTaxpayerReturns(db, input, o),
    countTaxpayers: () => countTaxpayers(db),
    submitBatch: (body, o) => submitBatch(db, body, o),
    processBatch: (id, o) => processBatch(db, id, { ...o, subjectHash: hashSubject }),
    async drainQueue() {
      let n = 0;
      for (
        let id = await claimNextBatch(db, workerId);
        id;
        id = await claimNextBatch(db, workerId)
      ) {
        try {
          await processBatch(db, id, { subjectHash: hashSubject });
          n++;
        } finally {
          await releaseLease(db, id, workerId);
        }
      }
      return n;
    },
    batchStatus: async (id, requester) => status(await ownBatch(id, requester)),
    async operatorView(id) {
      const batch = await getBatch(db, id);
      const items = await listItemsWithOutcomes(db, id);
      return {
        ...status(batch),
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
      return fetchResults(db, id, actor);
    },
    authenticateRequester: (token) => verifyClientAssertion(db, token),
    review: (id, requestId, decision, actor) =>
      decideReviewItem(db, id, requestId, decision, actor),
    explain: (id, requestId, actor) => explainItem(db, id, requestId, actor),
    reindexTaxpayers: (onProgress) => reindexAddressesOfRecord(db, onProgress),
    trainModel: (actor) => trainModel(db, givenNamesCompatible, { actor }),
    verifyLedger: (o) => verifyLedger(db, o),
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
  verify(opts?: { saved?: SavedRoot; pageSize?: number }): Promise<LedgerVerification>;
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
  return {
    target,
    verify: (o) => verifyLedger(db, o),
    async close() {
      await opened.close();
      await lock?.release();
    },
  };
}
