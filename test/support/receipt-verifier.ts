/**
 * An independent checker of what the ledger publishes, written only from RFC 9162 §2.1
 * (Merkle tree, inclusion and consistency verification) and the C2SP signed-note and
 * tlog-checkpoint texts, with node:crypto alone. It imports nothing from src/: a recipient
 * of a result could write it from the same texts, so tests that pass through it show that
 * our receipts and proofs are checkable without trusting our code.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** RFC 9162 §2.1.1: MTH({d(0)}) = SHA-256(0x00 || d(0)). */
export const hashLeaf = (entry: Uint8Array): Buffer => sha256(Buffer.of(0), entry);
/** RFC 9162 §2.1.1: SHA-256(0x01 || MTH(left) || MTH(right)). */
export const hashChildren = (l: Uint8Array, r: Uint8Array): Buffer => sha256(Buffer.of(1), l, r);

/** RFC 9162 §2.1.1 MTH of a list of entries, from the definition (k = largest power of 2 < n). */
export function merkleTreeHash(entries: Uint8Array[]): Buffer {
  if (entries.length === 0) return sha256();
  if (entries.length === 1) return hashLeaf(entries[0]!);
  let k = 1;
  while (k << 1 < entries.length) k <<= 1;
  return hashChildren(merkleTreeHash(entries.slice(0, k)), merkleTreeHash(entries.slice(k)));
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** RFC 9162 §2.1.3.2, step by step. Indexes are BigInt so the bit operations stay exact. */
export function checkInclusion(
  leafIndex: bigint,
  treeSize: bigint,
  hash: Uint8Array,
  inclusionPath: Uint8Array[],
  rootHash: Uint8Array,
): boolean {
  if (![hash, rootHash, ...inclusionPath].every((h) => h.length === 32)) return false;
  if (leafIndex >= treeSize) return false; // 1
  let fn = leafIndex; // 2
  let sn = treeSize - 1n;
  let r: Uint8Array = hash; // 3
  for (const p of inclusionPath) {
    // 4
    if (sn === 0n) return false; // 4a
    if ((fn & 1n) === 1n || fn === sn) {
      // 4b
      r = hashChildren(p, r); // 4b i
      if ((fn & 1n) === 0n) {
        // 4b ii
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = hashChildren(r, p); // 4c
    }
    fn >>= 1n; // 4d
    sn >>= 1n;
  }
  return sn === 0n && same(r, rootHash); // 5
}

/** RFC 9162 §2.1.4.2, step by step (first_hash = root1, second_hash = root2). */
export function checkConsistency(
  firstSize: bigint,
  secondSize: bigint,
  consistencyPath: Uint8Array[],
  firstHash: Uint8Array,
  secondHash: Uint8Array,
): boolean {
  if (!consistencyPath.every((h) => h.length === 32)) return false;
  if (firstSize > secondSize) return false;
  // Equal sizes: nothing to prove but that the roots are the same (and, for the empty
  // tree, its one root: MTH({}) = SHA-256()).
  if (firstSize === secondSize) {
    return (
      consistencyPath.length === 0 &&
      same(firstHash, secondHash) &&
      (firstSize > 0n || same(firstHash, sha256()))
    );
  }
  if (firstSize === 0n) return false;
  if (consistencyPath.length === 0) return false; // 1
  let path = consistencyPath;
  if ((firstSize & (firstSize - 1n)) === 0n) path = [firstHash, ...path]; // 2: a power of 2
  let fn = firstSize - 1n; // 3
  let sn = secondSize - 1n;
  while ((fn & 1n) === 1n) {
    // 4
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr: Uint8Array = path[0]!; // 5
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    // 6
    if (sn === 0n) return false; // 6a
    if ((fn & 1n) === 1n || fn === sn) {
      // 6b
      fr = hashChildren(c, fr); // 6b i
      sr = hashChildren(c, sr);
      if ((fn & 1n) === 0n) {
        // 6b ii
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = hashChildren(sr, c); // 6c
    }
    fn >>= 1n; // 6d
    sn >>= 1n;
  }
  return same(fr, firstHash) && same(sr, secondHash) && sn === 0n; // 7
}

/** Strict standard base64: decodes only text that re-encodes to itself. */
function strictBase64(text: string): Buffer | null {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

/** A C2SP signed-note verifier key: `<name>+<hex key ID>+<base64(0x01 || Ed25519 key)>`. */
export function readVerifierKey(vkey: string): { name: string; id: Buffer; key: KeyObject } {
  const [name, idHex, keyB64, ...rest] = vkey.split('+');
  // The base64 part may itself contain '+'.
  const material = strictBase64([keyB64, ...rest].join('+'));
  if (!name || !idHex || !/^[0-9a-f]{8}$/.test(idHex) || !material || material.length !== 33) {
    throw new Error('malformed verifier key');
  }
  if (material[0] !== 0x01) throw new Error('not an Ed25519 verifier key');
  const id = sha256(Buffer.from(name, 'utf8'), Buffer.of(0x0a), material).subarray(0, 4);
  if (id.toString('hex') !== idHex) throw new Error('verifier key ID does not match its key');
  const key = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: material.subarray(1).toString('base64url') },
    format: 'jwk',
  });
  return { name, id, key };
}

/**
 * Checks a signed note (C2SP signed-note): text, a blank line, then signature lines
 * `— <name> <base64(4-byte key ID || signature)>`; one of them must be a valid Ed25519
 * signature of the text by `vkey`. Returns the text.
 */
export function openSignedNote(note: string, vkey: string): string {
  const key = readVerifierKey(vkey);
  if (!note.endsWith('\n')) throw new Error('note does not end with a newline');
  const at = note.lastIndexOf('\n\n');
  if (at < 0) throw new Error('note has no signatures');
  const text = note.slice(0, at + 1);
  let good = false;
  for (const line of note.slice(at + 2, -1).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) throw new Error('malformed signature line');
    const blob = strictBase64(m[2]!);
    if (!blob || blob.length < 5) throw new Error('malformed signature');
    if (m[1] !== key.name || !blob.subarray(0, 4).equals(key.id)) continue;
    if (!verify(null, Buffer.from(text, 'utf8'), key.key, blob.subarray(4))) {
      throw new Error('signature does not verify');
    }
    good = true;
  }
  if (!good) throw new Error('not signed by the given key');
  return text;
}

/** C2SP tlog-checkpoint note text: origin, decimal size, base64 root, optional extensions. */
export function readCheckpoint(text: string): { origin: string; size: bigint; root: Buffer } {
  const lines = text.split('\n');
  if (lines.pop() !== '' || lines.length < 3) throw new Error('malformed checkpoint');
  const [origin, size, root] = lines as [string, string, string];
  const rootBytes = strictBase64(root);
  if (!origin || !/^(0|[1-9][0-9]*)$/.test(size) || !rootBytes || rootBytes.length !== 32) {
    throw new Error('malformed checkpoint');
  }
  return { origin, size: BigInt(size), root: rootBytes };
}

/** A signed checkpoint, opened and read; throws naming what is wrong. */
export function verifyCheckpoint(
  note: string,
  vkey: string,
): { origin: string; size: bigint; root: Buffer } {
  const cp = readCheckpoint(openSignedNote(note, vkey));
  if (cp.origin !== readVerifierKey(vkey).name) throw new Error('checkpoint of another log');
  return cp;
}

/** The `log` member of a released result (docs/formats.md#receipt). */
export interface ReceiptJson {
  format: string;
  checkpoint: string;
  leaf_index: number;
  leaf: string;
  inclusion_proof: string[];
}

/**
 * Checks a receipt: the checkpoint's signature, the leaf's inclusion under its root, and
 * that the leaf records the release of `batchId`, at its own index, of exactly the JWS
 * `jws` (SHA-256, base64url, in `payload.result_sha256`). Throws naming the fault.
 */
export function verifyReceipt(
  receipt: ReceiptJson,
  vkey: string,
  batchId: string,
  jws: string,
): void {
  if (receipt.format !== 'taxgate-receipt/1') throw new Error('unknown receipt format');
  const cp = verifyCheckpoint(receipt.checkpoint, vkey);
  const leaf = strictBase64(receipt.leaf);
  if (!leaf) throw new Error('leaf is not base64');
  const path = receipt.inclusion_proof.map((h) => {
    const bytes = strictBase64(h);
    if (!bytes || bytes.length !== 32) throw new Error('proof hash is not 32 bytes');
    return bytes;
  });
  if (!Number.isSafeInteger(receipt.leaf_index) || receipt.leaf_index < 0) {
    throw new Error('bad leaf index');
  }
  if (!checkInclusion(BigInt(receipt.leaf_index), cp.size, hashLeaf(leaf), path, cp.root)) {
    throw new Error('inclusion proof does not lead to the checkpoint root');
  }
  const fields = JSON.parse(leaf.toString('utf8')) as Record<string, unknown>;
  if (
    fields.type !== 'batch.released' ||
    fields.batch_id !== batchId ||
    fields.index !== receipt.leaf_index
  ) {
    throw new Error('the leaf is not the release of this batch at this index');
  }
  const payload = fields.payload as Record<string, unknown> | null;
  if (payload?.result_sha256 !== sha256(Buffer.from(jws, 'ascii')).toString('base64url')) {
    throw new Error('the leaf records the release of another result document');
  }
}
