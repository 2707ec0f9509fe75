/**
 * The published side of the ledger: signed checkpoints, proofs, tiles and receipts
 * (docs/ledger.md §Checkpoints, ADR 0008).
 *
 * `LedgerLog` keeps an in-memory tree of the stored leaves (tree.ts), read once and then
 * only the entries appended since, and hashes every leaf itself rather than trusting the
 * stored `leaf_hash`, so what it signs and proves is the tree of the bytes it serves.
 *
 * The rule it guards: never two inconsistent checkpoints. Before a new checkpoint is
 * stored, under a database lock, the latest stored one must verify with the ledger key
 * and the new tree must extend it (an RFC 9162 consistency proof, generated here and
 * checked with merkle.ts's verifier). Otherwise nothing is signed and an IntegrityError
 * says why: the log below that checkpoint was changed since.
 */
import type { Kysely } from 'kysely';
import { IntegrityError, InvalidInputError, NotFoundError } from '../errors.ts';
import type { Database } from '../storage/schema.ts';
import { formatCheckpoint, signNote, verifyNote, type NoteSigner } from './checkpoint.ts';
import {
  findReleaseEntry,
  insertCheckpoint,
  latestCheckpoint,
  lockCheckpoints,
  readLeaves,
  type StoredCheckpoint,
} from './checkpoints.store.ts';
import { emptyRoot, leafHash, verifyConsistency } from './merkle.ts';
import { encodeEntryBundle, TILE_WIDTH, type TileRef } from './tiles.ts';
import { LedgerTree } from './tree.ts';

/** Entries read per query while catching up with the database. */
const SYNC_PAGE = 10_000;

/** Version of the receipt format (docs/formats.md#receipt). */
export const RECEIPT_FORMAT = 'taxgate-receipt/1';

/**
 * Proof that a batch's release is in the ledger, checkable with the ledger's verifier key
 * alone (docs/formats.md#receipt).
 * @example const r: Receipt = await log.receipt('bat_…')
 */
export interface Receipt {
  format: typeof RECEIPT_FORMAT;
  /** The signed checkpoint (C2SP signed note) the proof leads to. */
  checkpoint: string;
  /** Index of the `batch.released` entry. */
  leaf_index: number;
  /** Its leaf bytes, base64. */
  leaf: string;
  /** RFC 9162 inclusion proof from that leaf to the checkpoint's root, base64 hashes. */
  inclusion_proof: string[];
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

const equalBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The ledger as the outside sees it.
 * @example
 * const log = new LedgerLog(db, { signer, vkey, origin: signer.name });
 * await log.publish(); // a signed checkpoint of everything committed so far
 */
export class LedgerLog {
  readonly #db: Kysely<Database>;
  readonly #signer: NoteSigner;
  readonly #tree = new LedgerTree();
  /** One sync or publish at a time: each extends the same tree. */
  #queue: Promise<unknown> = Promise.resolve();
  /** C2SP verifier key of the ledger key: `<origin>+<key ID>+<base64 key>`. */
  readonly vkey: string;
  readonly origin: string;

  constructor(db: Kysely<Database>, opts: { signer: NoteSigner; vkey: string }) {
    this.#db = db;
    this.#signer = opts.signer;
    this.vkey = opts.vkey;
    this.origin = opts.signer.name;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Appends the committed entries the tree does not have yet. Committed entries are a
   * prefix of the log (the index rule), so anything but the next index is tampering. */
  async #catchUp(): Promise<number> {
    for (;;) {
      const page = await readLeaves(this.#db, this.#tree.size, SYNC_PAGE);
      for (const { index, leaf } of page) {
        if (index !== this.#tree.size) {
          throw new IntegrityError(
            'LEDGER_INCONSISTENT',
            `ledger entry ${this.#tree.size} is missing: the entry after it is ${index}; run taxgate ledger verify`,
          );
        }
        this.#tree.append(leafHash(leaf));
      }
      if (page.length < SYNC_PAGE) return this.#tree.size;
    }
  }

  /**
   * Brings the tree up to the committed log and returns its size.
   * @example const size = await log.sync()
   */
  sync(): Promise<number> {
    return this.#serial(() => this.#catchUp());
  }

  /**
   * Signs and stores a checkpoint of the committed log when it grew since the latest one;
   * returns the latest checkpoint (new or not), or null while the log is empty.
   * @throws IntegrityError LEDGER_INCONSISTENT (nothing stored) when the latest stored
   * checkpoint does not verify or the log no longer extends it
   * @example const cp = await log.publish()
   */
  publish(): Promise<StoredCheckpoint | null> {
    return this.#serial(async () => {
      let size = await this.#catchUp();
      const known = await latestCheckpoint(this.#db);
      if (known && known.size > size) size = await this.#catchUp(); // stored by another server
      if (known) this.#checkAgainst(known, size);
      if (size === 0 || (known && known.size >= size)) return known;
      return this.#db.transaction().execute(async (trx) => {
        await lockCheckpoints(trx);
        // Another server may have stored one since we looked.
        const latest = await latestCheckpoint(trx);
        if (latest && latest.size >= size) return latest;
        if (latest) this.#checkAgainst(latest, size);
        const root = this.#tree.rootAt(size);
        const note = signNote(
          formatCheckpoint({ origin: this.origin, size, rootHash: root }),
          this.#signer,
        );
        return insertCheckpoint(trx, { size, rootHash: root, note });
      });
    });
  }

  /**
   * Refuses (throws) unless `cp` is signed by the ledger key, matches its row, and the
   * tree of `size` entries extends it (same root at equal size, a verified consistency
   * proof beyond, never fewer entries).
   */
  #checkAgainst(cp: StoredCheckpoint, size: number): void {
    const opened = verifyNote(cp.note, [this.vkey], { origin: this.origin });
    if (
      !opened.ok ||
      opened.checkpoint.size !== cp.size ||
      !equalBytes(opened.checkpoint.rootHash, cp.rootHash)
    ) {
      throw new IntegrityError(
        'LEDGER_INCONSISTENT',
        `the stored checkpoint of size ${cp.size} is not signed by the ledger key or does not match its row (${opened.ok ? 'size or root differ' : opened.reason}); no checkpoint was signed`,
        { checkpoint_size: cp.size },
      );
    }
    if (cp.size > size) {
      throw new IntegrityError(
        'LEDGER_INCONSISTENT',
        `the log has ${size} entries but a checkpoint of ${cp.size} was signed: the log was cut short; no checkpoint was signed; run taxgate ledger verify`,
        { checkpoint_size: cp.size, log_size: size },
      );
    }
    const root = this.#tree.rootAt(size);
    let consistent: boolean;
    if (cp.size === size) consistent = equalBytes(cp.rootHash, root);
    else if (cp.size === 0) consistent = equalBytes(cp.rootHash, emptyRoot());
    else {
      const proof = this.#tree.consistencyProof(cp.size, size);
      consistent = verifyConsistency(cp.size, size, proof, cp.rootHash, root);
    }
    if (!consistent) {
      throw new IntegrityError(
        'LEDGER_INCONSISTENT',
        `the log of ${size} entries does not extend the signed checkpoint of size ${cp.size}: an entry below index ${cp.size} was changed, removed or reordered; no checkpoint was signed; run taxgate ledger verify`,
        { checkpoint_size: cp.size, log_size: size },
      );
    }
  }

  /**
   * The latest signed checkpoint, signing one first when the log grew since (so a reader
   * never waits for the timer), or null while the log is empty.
   * @example const note = (await log.checkpoint())?.note
   */
  checkpoint(): Promise<StoredCheckpoint | null> {
    return this.publish();
  }

  async #sizeCovering(size: number): Promise<void> {
    const have = await this.sync();
    if (size > have) {
      throw new NotFoundError(
        'LEDGER_SIZE_UNKNOWN',
        `the ledger has ${have} entries, not ${size}`,
        { log_size: have },
      );
    }
  }

  /**
   * Inclusion proof of entry `index` in the tree of `size` entries.
   * @throws InvalidInputError LEDGER_INDEX_INVALID unless 0 <= index < size
   * @throws NotFoundError LEDGER_SIZE_UNKNOWN when the log is smaller than size
   * @example const { proof } = await log.inclusion(3, cp.size)
   */
  async inclusion(
    index: number,
    size: number,
  ): Promise<{ index: number; size: number; leafHash: Uint8Array; proof: Uint8Array[] }> {
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new InvalidInputError(
        'LEDGER_INDEX_INVALID',
        `index ${index} is not an entry of a tree of size ${size}`,
      );
    }
    await this.#sizeCovering(size);
    return {
      index,
      size,
      leafHash: this.#tree.hashes(0, index, 1),
      proof: this.#tree.inclusionProof(index, size),
    };
  }

  /**
   * Consistency proof from the tree of `from` entries to the tree of `to` entries.
   * @throws InvalidInputError LEDGER_INDEX_INVALID unless 0 <= from <= to
   * @example const { proof } = await log.consistency(saved.size, latest.size)
   */
  async consistency(
    from: number,
    to: number,
  ): Promise<{ from: number; to: number; proof: Uint8Array[] }> {
    if (!Number.isSafeInteger(from) || from < 0 || from > to) {
      throw new InvalidInputError('LEDGER_INDEX_INVALID', `sizes ${from} → ${to} are not in order`);
    }
    await this.#sizeCovering(to);
    return { from, to, proof: this.#tree.consistencyProof(from, to) };
  }

  /**
   * Root of the tree of `size` entries.
   * @example Buffer.from(await log.rootAt(5)).toString('base64')
   */
  async rootAt(size: number): Promise<Uint8Array> {
    await this.#sizeCovering(size);
    return this.#tree.rootAt(size);
  }

  /**
   * A C2SP hash tile or entry bundle, when the log has all of its hashes or entries.
   * @throws NotFoundError TILE_NOT_FOUND when the log does not reach that far yet
   * @example const bytes = await log.tile({ level: 0, index: 0, width: 256 })
   */
  async tile(tile: TileRef): Promise<Uint8Array> {
    const size = await this.sync();
    const level = tile.level === null ? 0 : tile.level * 8;
    const from = tile.index * TILE_WIDTH;
    if (from + tile.width > this.#tree.width(level)) {
      throw new NotFoundError('TILE_NOT_FOUND', `the ledger of ${size} entries has no such tile`);
    }
    if (tile.level !== null) return this.#tree.hashes(level, from, tile.width);
    const entries = await readLeaves(this.#db, from, tile.width);
    // The bundle must be the very bytes the tree hashes: check them against it.
    entries.forEach(({ index, leaf }, i) => {
      if (index !== from + i || !equalBytes(leafHash(leaf), this.#tree.hashes(0, index, 1))) {
        throw new IntegrityError(
          'LEDGER_INCONSISTENT',
          `ledger entry ${from + i} changed since it was read; run taxgate ledger verify`,
        );
      }
    });
    if (entries.length !== tile.width) {
      throw new IntegrityError('LEDGER_INCONSISTENT', `ledger entries below ${size} are missing`);
    }
    try {
      return encodeEntryBundle(entries.map((e) => e.leaf));
    } catch {
      throw new IntegrityError(
        'LEDGER_INCONSISTENT',
        `an entry of bundle ${tile.index} is too large for a tile`,
      );
    }
  }

  /**
   * The receipt of a released batch: its `batch.released` entry, a checkpoint covering it
   * (signed now if none does yet) and the inclusion proof between them.
   * @throws NotFoundError RECEIPT_NOT_FOUND when the batch has no release entry
   * @throws IntegrityError LEDGER_INCONSISTENT when the log no longer gives the checkpoint's root
   * @example const receipt = await log.receipt(batchId)
   */
  async receipt(batchId: string): Promise<Receipt> {
    const entry = await findReleaseEntry(this.#db, batchId);
    if (!entry) {
      throw new NotFoundError('RECEIPT_NOT_FOUND', `batch ${batchId} has no release entry`);
    }
    const cp = await this.publish();
    if (!cp || cp.size <= entry.index) {
      throw new IntegrityError(
        'LEDGER_INCONSISTENT',
        `no checkpoint covers ledger entry ${entry.index}`,
      );
    }
    const proof = await this.inclusion(entry.index, cp.size);
    if (
      !equalBytes(proof.leafHash, leafHash(entry.leaf)) ||
      !equalBytes(this.#tree.rootAt(cp.size), cp.rootHash)
    ) {
      throw new IntegrityError(
        'LEDGER_INCONSISTENT',
        `the log no longer gives the root of the checkpoint of size ${cp.size}; run taxgate ledger verify`,
      );
    }
    return {
      format: RECEIPT_FORMAT,
      checkpoint: cp.note,
      leaf_index: entry.index,
      leaf: b64(entry.leaf),
      inclusion_proof: proof.proof.map(b64),
    };
  }
}

/**
 * Signs a checkpoint every `intervalMs` while events arrive (publish stores nothing when
 * the log did not grow). Errors go to `onError` and the timer keeps running: an integrity
 * failure is reported on every tick until someone looks.
 * @example const timer = startCheckpointTimer(tg.ledger, 2000, report); … await timer.stop()
 */
export function startCheckpointTimer(
  log: Pick<LedgerLog, 'publish'>,
  intervalMs: number,
  onError: (err: unknown) => void,
): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return;
    running = log
      .publish()
      .catch(onError)
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
