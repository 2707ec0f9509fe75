import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatCheckpoint, signNote, verifierKey } from './checkpoint.ts';
import { encodeLeaf, type LeafFields } from './leaf.ts';
import { emptyRoot, leafHash, rootOf } from './merkle.ts';
import {
  checkStoredCheckpoints,
  formatRootFile,
  parseRootFile,
  verifyEntries,
  type LedgerVerification,
  type LogEntry,
  type SavedRoot,
} from './verify.ts';

/** A well-formed log of n entries, as the store would read it. */
function buildLog(n: number, tag = 'A'): (LogEntry & LeafFields)[] {
  return Array.from({ length: n }, (_, index) => {
    const fields: LeafFields = {
      type: index % 2 ? 'batch.received' : 'results.downloaded',
      actor: `operator:u${index % 3}`,
      batch_id: index % 4 ? `bat_${index}` : null,
      occurred_at: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
      payload: { n: index, codes: [tag, 'B'] },
      index,
    };
    const leaf = encodeLeaf(fields);
    return { ...fields, leaf, leafHash: leafHash(leaf) };
  });
}

const rootOfLog = (log: LogEntry[]) => rootOf(log.map((e) => leafHash(e.leaf)));

async function* paged(log: LogEntry[]): AsyncGenerator<LogEntry> {
  for (const e of log) yield e;
}

const failure = (v: LedgerVerification) => (v.ok ? null : { index: v.index, message: v.message });

describe('verifyEntries', () => {
  it('recomputes the RFC 9162 root of a good log of any size, from a sync or async source', async () => {
    for (const n of [0, 1, 2, 3, 7, 8, 33]) {
      const log = buildLog(n);
      expect(await verifyEntries(log)).toEqual({ ok: true, entries: n, root: rootOfLog(log) });
      expect(await verifyEntries(paged(log))).toMatchObject({ ok: true, entries: n });
    }
    expect(await verifyEntries([])).toEqual({ ok: true, entries: 0, root: emptyRoot() });
  });

  it('names the first bad entry and what is wrong with it', async () => {
    const log = buildLog(10);
    const cases: [LogEntry[], number, string][] = [
      [log.slice(1), 0, 'ledger entry 0 is missing: the log starts at 1'],
      [
        [...log.slice(0, 4), ...log.slice(5)],
        4,
        'ledger entry 4 is missing: the entry after 3 is 5',
      ],
      [[...log.slice(0, 4), log[3]!, ...log.slice(4)], 3, 'ledger entry 3 appears more than once'],
      [
        log.map((e, i) => (i === 6 ? { ...e, leaf: encodeLeaf({ ...e, actor: 'x' }) } : e)),
        6,
        'ledger entry 6: leaf_hash is not SHA-256(0x00 ‖ leaf): the leaf or its hash was changed',
      ],
      [
        // Swapped rows: each keeps its leaf, the indexes were exchanged.
        log.map((e, i) =>
          i === 2 ? { ...log[7]!, index: 2 } : i === 7 ? { ...log[2]!, index: 7 } : e,
        ),
        2,
        "ledger entry 2: its leaf is entry 7's: entries were reordered or moved",
      ],
      [
        log.map((e, i) => (i === 5 ? { ...e, payload: { n: 50, codes: ['A', 'B'] } } : e)),
        5,
        'ledger entry 5: payload column does not match the leaf',
      ],
      [
        log.map((e, i) => {
          if (i !== 8) return e;
          const leaf = new TextEncoder().encode(
            new TextDecoder().decode(e.leaf).replace('{', '{ '),
          );
          return { ...e, leaf, leafHash: leafHash(leaf) };
        }),
        8,
        'ledger entry 8: leaf is not canonical JSON (RFC 8785)',
      ],
    ];
    for (const [entries, index, message] of cases) {
      expect(failure(await verifyEntries(entries))).toEqual({ index, message });
    }
  });

  it('counts rows written around the log as a failure', async () => {
    expect(failure(await verifyEntries(buildLog(3), { unindexed: 2 }))).toEqual({
      index: null,
      message: '2 event row(s) have no leaf_index: they were written around the log',
    });
  });

  it('checks a saved root against the prefix it covers', async () => {
    const log = buildLog(20);
    for (const size of [0, 1, 5, 16, 20]) {
      const saved = { size, root: rootOfLog(log.slice(0, size)) };
      expect(await verifyEntries(log, { saved })).toEqual({
        ok: true,
        entries: 20,
        root: rootOfLog(log),
        saved,
      });
    }
    // A consistent rewrite of entry 3 (leaf, hash and columns agree).
    const leaf = encodeLeaf({ ...log[3]!, actor: 'someone' });
    const rewritten = log.map((e, i) =>
      i === 3 ? { ...e, actor: 'someone', leaf, leafHash: leafHash(leaf) } : e,
    );
    expect((await verifyEntries(rewritten)).ok).toBe(true);
    const saved = { size: 12, root: rootOfLog(log.slice(0, 12)) };
    expect(failure(await verifyEntries(rewritten, { saved }))).toEqual({
      index: null,
      message: expect.stringMatching(
        /^the first 12 entries give root \S+, not the saved root \S+: an entry below index 12 was changed, removed, reordered or inserted since the root was saved$/,
      ),
    });
    // Cut short.
    expect(await verifyEntries(log.slice(0, 9), { saved })).toEqual({
      ok: false,
      entries: 9,
      index: 9,
      message:
        'ledger entry 9 is missing: the saved root covers 12 entries and the log has 9 (it was cut short)',
    });
    // A saved empty tree with another root.
    expect(
      failure(await verifyEntries(log, { saved: { size: 0, root: rootOfLog(log.slice(0, 1)) } })),
    ).toMatchObject({ index: null });
  });
});

describe('root files', () => {
  it('round-trip', () => {
    const saved = { size: 3, root: rootOfLog(buildLog(3)) };
    const text = formatRootFile(saved);
    expect(JSON.parse(text)).toEqual({ size: 3, root: Buffer.from(saved.root).toString('base64') });
    expect(parseRootFile(text)).toEqual(saved);
    expect(parseRootFile(formatRootFile({ size: 0, root: emptyRoot() }))).toEqual({
      size: 0,
      root: emptyRoot(),
    });
  });

  it('say what is wrong with a file that is not one', () => {
    const root = Buffer.from(rootOfLog(buildLog(1))).toString('base64');
    const cases: [string, string][] = [
      ['nope', 'it is not JSON'],
      ['[]', 'it is not a JSON object'],
      [`{"size":1,"root":"${root}","x":1}`, 'it has unknown fields: x'],
      [`{"size":-1,"root":"${root}"}`, 'size is not a non-negative integer'],
      [`{"size":"1","root":"${root}"}`, 'size is not a non-negative integer'],
      [`{"size":1,"root":"${root.slice(4)}"}`, 'root is not 32 bytes of base64'],
      [`{"size":1,"root":"${root.slice(0, -2)}B="}`, 'root is not 32 bytes of base64'],
      [`{"size":0,"root":"${root}"}`, 'root of size 0 is not the empty tree root'],
    ];
    for (const [text, problem] of cases) expect(parseRootFile(text)).toBe(problem);
  });
});

describe('stored checkpoints', () => {
  const origin = 'taxgate.test.gov/ledger';
  const { privateKey } = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519').privateKey;
  const vkey = verifierKey(origin, privateKey);
  const log = buildLog(10);
  const stored = (size: number, key = privateKey, name = origin) => {
    const rootHash = rootOfLog(log.slice(0, size));
    return {
      size,
      rootHash,
      note: signNote(formatCheckpoint({ origin: name, size, rootHash }), { name, privateKey: key }),
    };
  };

  it('accepts checkpoints signed by the ledger key and returns their roots, labelled', () => {
    const roots = checkStoredCheckpoints([stored(4), stored(10)], vkey);
    expect(roots).toEqual([
      {
        size: 4,
        root: rootOfLog(log.slice(0, 4)),
        label: 'the root of the stored checkpoint of size 4',
      },
      { size: 10, root: rootOfLog(log), label: 'the root of the stored checkpoint of size 10' },
    ]);
  });

  it('names a checkpoint another key signed, or whose row says something else', () => {
    expect(checkStoredCheckpoints([stored(4), stored(6, other)], vkey)).toBe(
      'the stored checkpoint of size 6 does not verify with the ledger key: note is not signed by a known key',
    );
    const moved = { ...stored(6), size: 7 };
    expect(checkStoredCheckpoints([moved], vkey)).toMatch(
      /^the stored checkpoint of size 7: its note says size 6/,
    );
    // Without a key only the rows are read; a wrong root still shows against the entries.
    expect(checkStoredCheckpoints([stored(6, other)], null)).toHaveLength(1);
  });

  it('makes the log give every stored root, and be at least as long as the largest', async () => {
    const checkpoints = checkStoredCheckpoints([stored(3), stored(8)], vkey) as SavedRoot[];
    expect(await verifyEntries(log, { checkpoints })).toMatchObject({ ok: true, entries: 10 });
    expect(await verifyEntries(log.slice(0, 6), { checkpoints })).toMatchObject({
      ok: false,
      index: 6,
      message:
        'ledger entry 6 is missing: the root of the stored checkpoint of size 8 covers 8 entries and the log has 6 (it was cut short)',
    });
    const forged = buildLog(10).map((e, i) => (i === 1 ? buildLog(10, 'forged')[1]! : e));
    expect(await verifyEntries(forged, { checkpoints })).toMatchObject({
      ok: false,
      index: null,
      message: expect.stringMatching(
        /^the first 3 entries give root \S+, not the root of the stored checkpoint of size 3 \S+: an entry below index 3 was changed/,
      ),
    });
  });
});
