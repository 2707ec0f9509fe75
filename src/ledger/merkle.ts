/**
 * RFC 9162 §2.1 (= RFC 6962 §2.1) Merkle tree over the ledger's stored entries, with SHA-256.
 *
 * The tree is what makes the ledger tamper-evident: a signed root commits to every entry
 * and its position, an inclusion proof shows one entry is in it, and a consistency proof
 * shows a later tree only appended to an earlier one. Everything here is pure and works on
 * 32-byte hashes; the database only stores entries, never trusted intermediate nodes.
 *
 * Generation (`rootOf`, `inclusionProof`, `consistencyProof`) works on our own data and
 * throws `RangeError` on a bad index. Verification (`verifyInclusion`, `verifyConsistency`)
 * works on data from outside and only ever returns a boolean.
 */
import { createHash } from 'node:crypto';

/**
 * Size in bytes of every hash in the tree (SHA-256).
 * @example leafHash(bytes).length === HASH_SIZE // true
 */
export const HASH_SIZE = 32;

// Domain separation (RFC 9162 §2.1.1): a leaf can never be read as an interior node, so
// nobody can present two child hashes as a "leaf" and forge an inclusion proof.
const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/**
 * Root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1).
 * @example Buffer.from(emptyRoot()).toString('hex') // 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
 */
export function emptyRoot(): Uint8Array {
  return sha256();
}

/**
 * Hash of one entry as a leaf: SHA-256(0x00 ‖ bytes).
 * @example const h = leafHash(new TextEncoder().encode('{"type":"login"}'))
 */
export function leafHash(bytes: Uint8Array): Uint8Array {
  return sha256(LEAF_PREFIX, bytes);
}

/**
 * Hash of an interior node: SHA-256(0x01 ‖ left ‖ right).
 * @example const parent = nodeHash(leafHash(a), leafHash(b))
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(NODE_PREFIX, left, right);
}

/** Largest power of two strictly smaller than n, for n > 1 (the split point k of RFC 9162). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over leafHashes[lo, hi), straight from the recursive definition (hi > lo). */
function subtreeRoot(leaves: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  const n = hi - lo;
  if (n === 1) return leaves[lo] as Uint8Array;
  const k = splitPoint(n);
  return nodeHash(subtreeRoot(leaves, lo, lo + k), subtreeRoot(leaves, lo + k, hi));
}

/**
 * Merkle Tree Hash (MTH) of a list of leaf hashes; the empty tree's root is SHA-256("").
 * Takes leaf hashes, not entries, so callers hash each stored entry once with `leafHash`.
 * @example const root = rootOf(entries.map(leafHash))
 */
export function rootOf(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return emptyRoot();
  return subtreeRoot(leafHashes, 0, leafHashes.length);
}

/**
 * Inclusion proof (audit path) for the leaf at `index`, as PATH(m, D[n]) of RFC 9162
 * §2.1.3.1: sibling subtree roots from the leaf up to the root.
 * @throws RangeError when index is not in [0, leafHashes.length)
 * @example const proof = inclusionProof(hashes, 3) // verifyInclusion(hashes[3], 3, hashes.length, proof, rootOf(hashes))
 */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number): Uint8Array[] {
  const n = leafHashes.length;
  if (!Number.isSafeInteger(index) || index < 0 || index >= n) {
    throw new RangeError(`leaf index ${index} is not in a tree of size ${n}`);
  }
  const path = (m: number, lo: number, hi: number): Uint8Array[] => {
    if (hi - lo === 1) return [];
    const k = splitPoint(hi - lo);
    return m < k
      ? [...path(m, lo, lo + k), subtreeRoot(leafHashes, lo + k, hi)]
      : [...path(m - k, lo + k, hi), subtreeRoot(leafHashes, lo, lo + k)];
  };
  return path(index, 0, n);
}

/**
 * Consistency proof from the tree's first `m` leaves to all of them, as PROOF(m, D[n]) of
 * RFC 9162 §2.1.4.1. Empty when m is 0 or n (nothing to prove).
 * @throws RangeError when m is not in [0, leafHashes.length]
 * @example const proof = consistencyProof(hashes, 5) // verifyConsistency(5, hashes.length, proof, root5, rootN)
 */
export function consistencyProof(leafHashes: readonly Uint8Array[], m: number): Uint8Array[] {
  const n = leafHashes.length;
  if (!Number.isSafeInteger(m) || m < 0 || m > n) {
    throw new RangeError(`size ${m} is not in [0, ${n}]`);
  }
  if (m === 0 || m === n) return [];
  // `whole` is the b flag of SUBPROOF: true while the old tree's root is a node the
  // verifier already knows (it is root1), so it need not be sent.
  const subproof = (m: number, lo: number, hi: number, whole: boolean): Uint8Array[] => {
    if (m === hi - lo) return whole ? [] : [subtreeRoot(leafHashes, lo, hi)];
    const k = splitPoint(hi - lo);
    return m <= k
      ? [...subproof(m, lo, lo + k, whole), subtreeRoot(leafHashes, lo + k, hi)]
      : [...subproof(m - k, lo + k, hi, false), subtreeRoot(leafHashes, lo, lo + k)];
  };
  return subproof(m, 0, n, true);
}

// ---------------------------------------------------------------------------------------
// Verification. Sizes and indexes become BigInt so the RFC's bit operations stay exact past
// 2^31 (JavaScript's `>>` and `&` work on 32-bit integers).

function isSize(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function isHash(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array && x.length === HASH_SIZE;
}

function isPath(x: unknown): x is Uint8Array[] {
  return Array.isArray(x) && x.every(isHash);
}

function equalBytes(a: unknown, b: unknown): boolean {
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const lsb = (x: bigint): boolean => (x & 1n) === 1n;

/**
 * Checks an inclusion proof exactly as RFC 9162 §2.1.3.2: true when `leafHash` is the leaf
 * at `index` of the tree of `treeSize` leaves whose root is `root`. Never throws: malformed
 * input (wrong types, hash lengths, index out of range) is simply false.
 * @example verifyInclusion(leafHash(entry), 7, checkpoint.size, proof, checkpoint.rootHash) // true
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isHash(leafHash) || !isSize(index) || !isSize(treeSize) || !isPath(proof)) return false;
  // Step 1.
  if (index >= treeSize) return false;
  // Steps 2 and 3.
  let fn = BigInt(index);
  let sn = BigInt(treeSize) - 1n;
  let r = leafHash;
  // Step 4.
  for (const p of proof) {
    if (sn === 0n) return false; // more hashes than the path has levels
    if (lsb(fn) || fn === sn) {
      r = nodeHash(p, r);
      // Skip the levels where this node is a lone right-border node with no sibling.
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  // Step 5: sn reaching 0 means the path was exactly as long as the tree is tall.
  return sn === 0n && equalBytes(r, root);
}

/**
 * Checks a consistency proof exactly as RFC 9162 §2.1.4.2: true when the tree of `size1`
 * leaves with root `root1` is a prefix of the tree of `size2` leaves with root `root2`.
 * Never throws.
 *
 * Edge cases, as the shared test vectors require: equal sizes need an empty proof and equal
 * roots; size1 = 0 is false (a proof from the empty tree proves nothing, so callers should
 * treat an empty earlier tree as trivially consistent instead of asking), except that 0 → 0
 * holds when both roots are the empty-tree root.
 * @example verifyConsistency(saved.size, latest.size, proof, saved.rootHash, latest.rootHash) // true
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  if (!isSize(size1) || !isSize(size2) || !isPath(proof)) return false;
  if (!(root1 instanceof Uint8Array) || !(root2 instanceof Uint8Array)) return false;
  if (size1 > size2) return false;
  if (size1 === size2) {
    return (
      proof.length === 0 &&
      equalBytes(root1, root2) &&
      (size1 > 0 || equalBytes(root1, emptyRoot()))
    );
  }
  if (size1 === 0) return false;
  // Step 1.
  if (proof.length === 0) return false;
  // Step 2: when size1 is a power of two the old tree is a whole subtree of the new one,
  // so its root is the starting node and the log does not send it.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  // Step 3.
  let fn = BigInt(size1) - 1n;
  let sn = BigInt(size2) - 1n;
  // Step 4: climb to the level of the largest complete subtree the old tree ends with.
  while (lsb(fn)) {
    fn >>= 1n;
    sn >>= 1n;
  }
  // Step 5.
  let fr = path[0] as Uint8Array;
  let sr = fr;
  // Step 6: fr rebuilds the old root from left siblings only; sr rebuilds the new root.
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if (lsb(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  // Step 7.
  return equalBytes(fr, root1) && equalBytes(sr, root2) && sn === 0n;
}

function isPowerOfTwo(n: number): boolean {
  let x = n;
  while (x > 1 && x % 2 === 0) x /= 2;
  return x === 1;
}

// ---------------------------------------------------------------------------------------

/**
 * The right edge ("frontier") of a growing tree: the roots of its perfect subtrees, one per
 * set bit of the size, largest first. Appending a leaf merges equal-sized subtrees like a
 * binary counter carries, so memory stays O(log n) and each append costs amortised O(1)
 * hashes. That lets `ledger verify` recompute the root of a log of millions of entries while
 * streaming them, and lets the appender resume from a stored frontier instead of rereading
 * every entry.
 * @example
 * const range = new CompactRange();
 * for await (const entry of entries) range.append(leafHash(entry));
 * range.root(); // equals rootOf(all leaf hashes)
 */
export class CompactRange {
  #size = 0;
  #hashes: Uint8Array[] = [];

  /**
   * Resumes from a saved `size` and its frontier `hashes` (as returned by `hashes()`).
   * @throws RangeError when the number of hashes does not match the size's set bits
   * @example const range = CompactRange.from(saved.size, saved.hashes)
   */
  static from(size: number, hashes: readonly Uint8Array[]): CompactRange {
    if (!isSize(size)) throw new RangeError(`bad tree size ${size}`);
    let bits = 0;
    for (let s = size; s > 0; s = Math.floor(s / 2)) bits += s % 2;
    if (hashes.length !== bits || !hashes.every(isHash)) {
      throw new RangeError(
        `a tree of size ${size} has ${bits} frontier hashes of ${HASH_SIZE} bytes`,
      );
    }
    const range = new CompactRange();
    range.#size = size;
    range.#hashes = hashes.map((h) => new Uint8Array(h));
    return range;
  }

  /**
   * Number of leaves appended so far.
   * @example new CompactRange().size // 0
   */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends the next leaf hash.
   * @example range.append(leafHash(entryBytes))
   */
  append(leafHash: Uint8Array): void {
    if (!isHash(leafHash)) throw new RangeError(`a leaf hash has ${HASH_SIZE} bytes`);
    let h = leafHash;
    // Each trailing 1 bit of the size is a perfect subtree waiting for an equal-sized
    // right sibling; the new leaf completes them from the smallest up.
    for (let s = this.#size; s % 2 === 1; s = (s - 1) / 2) {
      h = nodeHash(this.#hashes.pop() as Uint8Array, h);
    }
    this.#hashes.push(h);
    this.#size += 1;
  }

  /**
   * The tree's root (MTH): the frontier folded from the right, because RFC 9162 splits
   * every tree into its largest perfect left subtree and the rest.
   * @example range.root() // Uint8Array(32)
   */
  root(): Uint8Array {
    const n = this.#hashes.length;
    if (n === 0) return emptyRoot();
    let acc = this.#hashes[n - 1] as Uint8Array;
    for (let i = n - 2; i >= 0; i--) acc = nodeHash(this.#hashes[i] as Uint8Array, acc);
    return acc;
  }

  /**
   * Copy of the frontier hashes, largest subtree first, to save with `size` and resume.
   * @example const saved = { size: range.size, hashes: range.hashes() }
   */
  hashes(): Uint8Array[] {
    return this.#hashes.map((h) => new Uint8Array(h));
  }
}
