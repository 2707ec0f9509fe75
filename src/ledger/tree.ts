/**
 * An in-memory RFC 9162 tree that keeps every complete subtree's hash, so roots, inclusion
 * and consistency proofs and C2SP tlog-tiles cost O(log n) hashes instead of rehashing the
 * whole log (merkle.ts's `rootOf`/`inclusionProof` do that, fine for tests and vectors, not
 * for a server answering every few seconds).
 *
 * Hand-written: no maintained npm package offers an RFC 9162 tree with consistency proofs
 * and tiles (Trillian/Tessera are Go). The proofs it makes are checked in tree.test.ts
 * against merkle.ts's straight-from-the-RFC versions for every index and size up to 70.
 *
 * Level h holds the hashes of the complete subtrees of 2^h leaves, left to right: level 0
 * the leaf hashes, level 8 what a level-1 tile lists, and so on. Memory is about 2 × 32
 * bytes per entry (64 MB for a million entries), in one growing buffer per level.
 */
import { emptyRoot, HASH_SIZE, nodeHash } from './merkle.ts';

/** A growable array of 32-byte hashes in one buffer. */
class HashArray {
  #buf = Buffer.alloc(HASH_SIZE * 64);
  length = 0;

  push(hash: Uint8Array): void {
    if ((this.length + 1) * HASH_SIZE > this.#buf.length) {
      const bigger = Buffer.alloc(this.#buf.length * 2);
      this.#buf.copy(bigger);
      this.#buf = bigger;
    }
    this.#buf.set(hash, this.length * HASH_SIZE);
    this.length += 1;
  }

  at(i: number): Uint8Array {
    return new Uint8Array(this.#buf.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  }

  /** Hashes [from, from + count) as one byte string (a tile). */
  slice(from: number, count: number): Uint8Array {
    return new Uint8Array(this.#buf.subarray(from * HASH_SIZE, (from + count) * HASH_SIZE));
  }
}

/** Largest power of two strictly smaller than n, for n > 1 (RFC 9162's k). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** log2 of n when n is a power of two, else -1. */
function exactLog2(n: number): number {
  let h = 0;
  for (let x = n; x > 1; x /= 2) {
    if (x % 2 !== 0) return -1;
    h += 1;
  }
  return h;
}

/**
 * The ledger's tree, grown one leaf hash at a time.
 * @example
 * const tree = new LedgerTree();
 * for (const h of leafHashes) tree.append(h);
 * verifyInclusion(leafHashes[3], 3, tree.size, tree.inclusionProof(3, tree.size), tree.rootAt(tree.size)) // true
 */
export class LedgerTree {
  #levels: HashArray[] = [new HashArray()];

  /**
   * Number of leaves.
   * @example new LedgerTree().size // 0
   */
  get size(): number {
    return this.#levels[0]!.length;
  }

  /**
   * Appends the next leaf hash and every subtree it completes (a binary counter's carry).
   * @example tree.append(leafHash(leafBytes))
   */
  append(leafHash: Uint8Array): void {
    if (!(leafHash instanceof Uint8Array) || leafHash.length !== HASH_SIZE) {
      throw new RangeError(`a leaf hash has ${HASH_SIZE} bytes`);
    }
    let h = leafHash;
    for (let level = 0; ; level++) {
      const hashes = (this.#levels[level] ??= new HashArray());
      hashes.push(h);
      if (hashes.length % 2 !== 0) return;
      h = nodeHash(hashes.at(hashes.length - 2), h);
    }
  }

  /**
   * Number of complete subtree hashes at `level` (nodes of 2^level leaves).
   * @example tree.width(8) // how many full 256-leaf subtrees exist
   */
  width(level: number): number {
    return this.#levels[level]?.length ?? 0;
  }

  /**
   * `count` consecutive complete-subtree hashes at `level` from `from`, concatenated: the
   * body of a C2SP tlog-tiles hash tile.
   * @throws RangeError when some of them do not exist yet
   * @example tree.hashes(0, 256 * n, 256) // level-0 tile n
   */
  hashes(level: number, from: number, count: number): Uint8Array {
    if (!Number.isSafeInteger(from) || from < 0 || count < 0 || from + count > this.width(level)) {
      throw new RangeError(`no ${count} hashes at level ${level} from ${from}`);
    }
    return this.#levels[level]!.slice(from, count);
  }

  /** MTH of leaves [lo, hi); RFC 9162's splits keep every left part aligned, so it is stored. */
  #subtree(lo: number, hi: number): Uint8Array {
    const n = hi - lo;
    const h = exactLog2(n);
    if (h >= 0) return this.#levels[h]!.at(lo / n);
    const k = splitPoint(n);
    return nodeHash(this.#subtree(lo, lo + k), this.#subtree(lo + k, hi));
  }

  #checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.size) {
      throw new RangeError(`tree size ${size} is not in [0, ${this.size}]`);
    }
  }

  /**
   * The root of the first `size` leaves (any size up to the current one).
   * @throws RangeError when size is larger than the tree
   * @example tree.rootAt(tree.size)
   */
  rootAt(size: number): Uint8Array {
    this.#checkSize(size);
    return size === 0 ? emptyRoot() : this.#subtree(0, size);
  }

  /**
   * PATH(index, D[size]) of RFC 9162 §2.1.3.1.
   * @throws RangeError when index is not below size, or size is larger than the tree
   * @example tree.inclusionProof(7, checkpoint.size)
   */
  inclusionProof(index: number, size: number): Uint8Array[] {
    this.#checkSize(size);
    if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
      throw new RangeError(`leaf index ${index} is not in a tree of size ${size}`);
    }
    const proof: Uint8Array[] = [];
    // Walk down from the root, collecting siblings, then reverse: the proof goes leaf-up.
    let lo = 0;
    let hi = size;
    while (hi - lo > 1) {
      const k = splitPoint(hi - lo);
      if (index < lo + k) {
        proof.push(this.#subtree(lo + k, hi));
        hi = lo + k;
      } else {
        proof.push(this.#subtree(lo, lo + k));
        lo += k;
      }
    }
    return proof.reverse();
  }

  /**
   * PROOF(from, D[to]) of RFC 9162 §2.1.4.1; empty when from is 0 or equals to.
   * @throws RangeError unless 0 <= from <= to <= size
   * @example tree.consistencyProof(saved.size, tree.size)
   */
  consistencyProof(from: number, to: number): Uint8Array[] {
    this.#checkSize(to);
    if (!Number.isSafeInteger(from) || from < 0 || from > to) {
      throw new RangeError(`size ${from} is not in [0, ${to}]`);
    }
    if (from === 0 || from === to) return [];
    const proof: Uint8Array[] = [];
    // SUBPROOF(m, D[lo:hi], whole), iteratively: each step adds one node, leaf-side last.
    let m = from;
    let lo = 0;
    let hi = to;
    let whole = true;
    while (m !== hi - lo) {
      const k = splitPoint(hi - lo);
      if (m <= k) {
        proof.push(this.#subtree(lo + k, hi));
        hi = lo + k;
      } else {
        proof.push(this.#subtree(lo, lo + k));
        m -= k;
        lo += k;
        whole = false;
      }
    }
    if (!whole) proof.push(this.#subtree(lo, hi));
    return proof.reverse();
  }
}
