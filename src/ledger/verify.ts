/**
 * The offline check of the whole log (`taxgate ledger verify`, docs/ledger.md §Verification).
 *
 * Reads the entries in index order, once, in constant memory, and stops at the first bad
 * one, naming it: indexes start at 0 and have no gaps or repeats; each stored leaf hash is
 * SHA-256(0x00 ‖ leaf); each leaf is the canonical encoding of its six fields, sits at the
 * index it names, and says what its row's columns say. The leaf hashes are folded into the
 * RFC 9162 root (CompactRange). Given a root saved earlier, the first `size` entries must
 * still give it: that is what catches a log rewritten wholesale or cut short, which no
 * check of the entries alone can see.
 *
 * Pure: the entries come from any async iterable (events.store.ts `readEntries`).
 */
import { parseCheckpoint, verifyNote, type Checkpoint } from './checkpoint.ts';
import { columnMismatch, decodeLeaf, type EntryColumns } from './leaf.ts';
import { CompactRange, emptyRoot, HASH_SIZE, leafHash } from './merkle.ts';

/**
 * One stored entry as the verifier reads it.
 * @example const e: LogEntry = { index: 0, leaf, leafHash: leafHash(leaf), type, actor, batch_id: null, occurred_at, payload }
 */
export interface LogEntry extends EntryColumns {
  /** The row's `leaf_index`. */
  index: number;
  leaf: Uint8Array;
  /** The row's stored `leaf_hash`. */
  leafHash: Uint8Array;
}

/**
 * A root saved earlier (`taxgate ledger root --out FILE`): the first `size` entries gave
 * `root`. The C2SP signed checkpoint replaces this file once checkpoints are published.
 * @example const saved: SavedRoot = { size: 42, root: range.root() }
 */
export interface SavedRoot {
  size: number;
  root: Uint8Array;
  /** How messages name it; default `the saved root`. */
  label?: string;
}

/**
 * What the verifier found: the log's size and root, or the first bad entry and why.
 * `index` is null when no single entry can be named (a saved root that no longer fits).
 * @example const v: LedgerVerification = await verifyEntries(readEntries(db)); if (!v.ok) console.error(v.message)
 */
export type LedgerVerification =
  | { ok: true; entries: number; root: Uint8Array; saved?: SavedRoot }
  | { ok: false; entries: number; index: number | null; message: string };

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/**
 * Verifies a log read in index order; see the module comment for what is checked.
 * `unindexed` is the number of event rows with no index at all (written around the log).
 * @example
 * const v = await verifyEntries(readEntries(db), { saved: parseRootFile(text) as SavedRoot })
 * if (v.ok) console.log(v.entries, Buffer.from(v.root).toString('base64'))
 */
export async function verifyEntries(
  entries: AsyncIterable<LogEntry> | Iterable<LogEntry>,
  opts: { saved?: SavedRoot; checkpoints?: SavedRoot[]; unindexed?: number } = {},
): Promise<LedgerVerification> {
  const { saved } = opts;
  // Every root the log must still give at its size: the saved one and the stored signed
  // checkpoints. The largest says how long the log must at least be.
  const targets = [...(opts.checkpoints ?? []), ...(saved ? [saved] : [])].sort(
    (a, b) => a.size - b.size,
  );
  const longest = targets.at(-1);
  let next = 0; // first target not yet reached
  const range = new CompactRange();
  const fail = (index: number | null, message: string): LedgerVerification => ({
    ok: false,
    entries: range.size,
    index,
    message,
  });
  const checkSaved = (): LedgerVerification | null => {
    for (; next < targets.length && targets[next]!.size === range.size; next++) {
      const target = targets[next]!;
      const root = range.root();
      if (equalBytes(root, target.root)) continue;
      return fail(
        null,
        `the first ${target.size} entries give root ${b64(root)}, not ${target.label ?? 'the saved root'} ` +
          `${b64(target.root)}: an entry below index ${target.size} was changed, removed, ` +
          `reordered or inserted since the root was saved`,
      );
    }
    return null;
  };
  if (opts.unindexed) {
    return fail(
      null,
      `${opts.unindexed} event row(s) have no leaf_index: they were written around the log`,
    );
  }
  const atStart = checkSaved();
  if (atStart) return atStart;

  for await (const entry of entries) {
    const expected = range.size;
    if (entry.index < expected) {
      return fail(
        entry.index,
        entry.index < 0
          ? `ledger entry ${entry.index}: an index is never negative`
          : `ledger entry ${entry.index} appears more than once`,
      );
    }
    if (entry.index > expected) {
      return fail(
        expected,
        expected === 0
          ? `ledger entry 0 is missing: the log starts at ${entry.index}`
          : `ledger entry ${expected} is missing: the entry after ${expected - 1} is ${entry.index}`,
      );
    }
    const at = `ledger entry ${expected}`;
    const hash = leafHash(entry.leaf);
    if (entry.leafHash.length !== HASH_SIZE || !equalBytes(hash, entry.leafHash)) {
      return fail(
        expected,
        `${at}: leaf_hash is not SHA-256(0x00 ‖ leaf): the leaf or its hash was changed`,
      );
    }
    const decoded = decodeLeaf(entry.leaf);
    if (!decoded.ok) return fail(expected, `${at}: ${decoded.problem}`);
    if (decoded.fields.index !== expected) {
      return fail(
        expected,
        `${at}: its leaf is entry ${decoded.fields.index}'s: entries were reordered or moved`,
      );
    }
    const mismatch = columnMismatch(decoded.fields, entry);
    if (mismatch) return fail(expected, `${at}: ${mismatch}`);
    range.append(hash);
    const bad = checkSaved();
    if (bad) return bad;
  }

  if (longest && range.size < longest.size) {
    return fail(
      range.size,
      `ledger entry ${range.size} is missing: ${longest.label ?? 'the saved root'} covers ${longest.size} entries ` +
        `and the log has ${range.size} (it was cut short)`,
    );
  }
  return { ok: true, entries: range.size, root: range.root(), ...(saved ? { saved } : {}) };
}

/**
 * The text of a saved-root file: `{"size": N, "root": "<base64>"}` and a newline.
 * @example await writeFile('root.json', formatRootFile({ size: v.entries, root: v.root }))
 */
export function formatRootFile(saved: SavedRoot): string {
  return JSON.stringify({ size: saved.size, root: b64(saved.root) }, null, 2) + '\n';
}

/**
 * Reads a saved-root file strictly, or says what is wrong with it. Never throws.
 * @example const saved = parseRootFile(await readFile(path, 'utf8')); if (typeof saved === 'string') fail(saved)
 */
export function parseRootFile(text: string): SavedRoot | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'it is not JSON';
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return 'it is not a JSON object';
  }
  const { size, root, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) return `it has unknown fields: ${extra.join(', ')}`;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    return 'size is not a non-negative integer';
  }
  if (typeof root !== 'string' || !/^[A-Za-z0-9+/]{43}=$/.test(root)) {
    return 'root is not 32 bytes of base64';
  }
  const bytes = new Uint8Array(Buffer.from(root, 'base64'));
  if (bytes.length !== HASH_SIZE || b64(bytes) !== root) return 'root is not 32 bytes of base64';
  if (size === 0 && !equalBytes(bytes, emptyRoot())) {
    return 'root of size 0 is not the empty tree root';
  }
  return { size, root: bytes };
}

/**
 * A checkpoint stored in the database, as `checkStoredCheckpoints` reads it.
 * @example const row: StoredCheckpointRow = { size: 42, rootHash, note }
 */
export interface StoredCheckpointRow {
  size: number;
  rootHash: Uint8Array;
  note: string;
}

/**
 * Checks the stored checkpoints before the entries are read: each note must be signed by
 * the ledger key (when one is given), be of this log, and say what its row says. Returns
 * the roots the log must still give, labelled for messages, or the first bad checkpoint.
 * @example const c = checkStoredCheckpoints(await listCheckpoints(db), vkey); if (typeof c === 'string') fail(c)
 */
export function checkStoredCheckpoints(
  rows: readonly StoredCheckpointRow[],
  vkey: string | null,
): SavedRoot[] | string {
  const roots: SavedRoot[] = [];
  for (const row of rows) {
    const at = `the stored checkpoint of size ${row.size}`;
    const cp = vkey ? verifyNote(row.note, [vkey]) : openUnchecked(row.note);
    if (!cp.ok) return `${at} does not verify with the ledger key: ${cp.reason}`;
    if (vkey && cp.checkpoint.origin !== cp.signedBy[0]) {
      return `${at} is of another log (${cp.checkpoint.origin})`;
    }
    if (cp.checkpoint.size !== row.size || !equalBytes(cp.checkpoint.rootHash, row.rootHash)) {
      return `${at}: its note says size ${cp.checkpoint.size} and another root than its row`;
    }
    roots.push({ size: row.size, root: row.rootHash, label: `the root of ${at}` });
  }
  return roots;
}

/** Reads a signed note's checkpoint without checking the signature (no key known). */
function openUnchecked(
  note: string,
): { ok: true; checkpoint: Checkpoint; signedBy: string[] } | { ok: false; reason: string } {
  const split = note.lastIndexOf('\n\n');
  const cp = parseCheckpoint(split < 0 ? note : note.slice(0, split + 1));
  return typeof cp === 'string'
    ? { ok: false, reason: cp }
    : { ok: true, checkpoint: cp, signedBy: [] };
}
