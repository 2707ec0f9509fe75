import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  nodeHash,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/merkle/', import.meta.url));

/** Every JSON file under a fixture folder, as [relative path, parsed content]. */
function vectors<T>(folder: string): [string, T][] {
  const out: [string, T][] = [];
  const walk = (dir: string, rel: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path, name);
      else if (entry.name.endsWith('.json')) {
        out.push([name, JSON.parse(readFileSync(path, 'utf8')) as T]);
      }
    }
  };
  walk(join(FIXTURES, folder), folder);
  return out.sort(([a], [b]) => a.localeCompare(b));
}

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

const inclusionVectors = vectors<InclusionVector>('inclusion');
const consistencyVectors = vectors<ConsistencyVector>('consistency');

describe('shared RFC 6962 proof vectors (transparency-dev/merkle testdata)', () => {
  it('finds the vectors, valid and invalid ones', () => {
    expect(inclusionVectors.length).toBeGreaterThan(90);
    expect(consistencyVectors.length).toBeGreaterThan(90);
    expect(inclusionVectors.some(([, v]) => !v.wantErr)).toBe(true);
    expect(consistencyVectors.some(([, v]) => !v.wantErr)).toBe(true);
  });

  it.each(inclusionVectors)('inclusion %s', (_name, v) => {
    const ok = verifyInclusion(
      b64(v.leafHash),
      v.leafIdx,
      v.treeSize,
      (v.proof ?? []).map(b64),
      b64(v.root),
    );
    expect(ok).toBe(!v.wantErr);
  });

  it.each(consistencyVectors)('consistency %s', (_name, v) => {
    const ok = verifyConsistency(
      v.size1,
      v.size2,
      (v.proof ?? []).map(b64),
      b64(v.root1),
      b64(v.root2),
    );
    expect(ok).toBe(!v.wantErr);
  });
});

// The leaves and roots of the RFC 6962 reference tests (certificate-transparency, also used
// by transparency-dev/merkle): they fix the hashing byte for byte.
const RFC6962_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(fromHex);
const RFC6962_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

describe('hashing', () => {
  it('hashes the empty tree, leaves and nodes as RFC 9162 §2.1.1 says', () => {
    expect(hex(emptyRoot())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(hex(rootOf([]))).toBe(hex(emptyRoot()));
    const data = new TextEncoder().encode('entry');
    const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
    expect(hex(leafHash(data))).toBe(sha(Uint8Array.of(0, ...data)));
    const [l, r] = [leafHash(Uint8Array.of(1)), leafHash(Uint8Array.of(2))];
    expect(hex(nodeHash(l, r))).toBe(sha(Uint8Array.of(1, ...l, ...r)));
  });

  it('reproduces the RFC 6962 reference roots for every prefix of its 8 leaves', () => {
    const hashes = RFC6962_LEAVES.map(leafHash);
    RFC6962_ROOTS.forEach((root, i) => {
      expect(hex(rootOf(hashes.slice(0, i + 1)))).toBe(root);
    });
  });

  it('builds the proofs of the C2SP merkle-tree example (7 entries)', () => {
    const [a, b, c, d, e, f, g] = Array.from({ length: 7 }, (_, i) => leafHash(Uint8Array.of(i)));
    const leaves = [a, b, c, d, e, f, g] as Uint8Array[];
    const [h, i, j] = [nodeHash(a!, b!), nodeHash(c!, d!), nodeHash(e!, f!)];
    const [k, l] = [nodeHash(h, i), nodeHash(j, g!)];
    const hx = (xs: Uint8Array[]): string[] => xs.map(hex);
    expect(hex(rootOf(leaves))).toBe(hex(nodeHash(k, l)));
    expect(hx(inclusionProof(leaves, 0))).toEqual(hx([b!, i, l]));
    expect(hx(inclusionProof(leaves, 3))).toEqual(hx([c!, h, l]));
    expect(hx(inclusionProof(leaves, 4))).toEqual(hx([f!, g!, k]));
    expect(hx(inclusionProof(leaves, 6))).toEqual(hx([j, k]));
    expect(hx(consistencyProof(leaves, 3))).toEqual(hx([c!, d!, h, l]));
    expect(hx(consistencyProof(leaves, 4))).toEqual(hx([l]));
    expect(hx(consistencyProof(leaves, 6))).toEqual(hx([j, g!, k]));
  });
});

/** Deterministic pseudo-random leaf data, so a failure can be replayed. */
function randomLeaves(n: number, seed: string): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => {
    const digest = createHash('sha256').update(`${seed}/${i}`).digest();
    return leafHash(digest.subarray(0, (digest[0] ?? 0) % 33));
  });
}

/** Copy of a proof with one bit of one byte flipped. */
function flipped(proof: readonly Uint8Array[], at: number, byte: number): Uint8Array[] {
  return proof.map((p, i) => {
    if (i !== at) return p;
    const copy = new Uint8Array(p);
    copy[byte] = (copy[byte] ?? 0) ^ (1 << (byte % 8));
    return copy;
  });
}

function flipByte(h: Uint8Array, byte: number): Uint8Array {
  const copy = new Uint8Array(h);
  copy[byte] = (copy[byte] ?? 0) ^ 0x80;
  return copy;
}

const SIZES = Array.from({ length: 64 }, (_, i) => i + 1);

describe('generated proofs on random trees of 1..64 leaves', () => {
  // Cases are collected and asserted once per tree: hundreds of thousands of `expect` calls
  // would make the run slow without testing anything more.
  it.each(SIZES)(
    'every inclusion proof in a tree of %i verifies, and every flipped byte fails',
    (n) => {
      const leaves = randomLeaves(n, `incl-${n}`);
      const root = rootOf(leaves);
      const wrong: string[] = [];
      const check = (want: boolean, got: boolean, what: string): void => {
        if (want !== got) wrong.push(what);
      };
      for (let m = 0; m < n; m++) {
        const leaf = leaves[m] as Uint8Array;
        const proof = inclusionProof(leaves, m);
        check(true, verifyInclusion(leaf, m, n, proof, root), `leaf ${m}`);
        for (let i = 0; i < proof.length; i++) {
          for (let byte = 0; byte < 32; byte++) {
            const bad = flipped(proof, i, byte);
            check(false, verifyInclusion(leaf, m, n, bad, root), `leaf ${m} proof[${i}][${byte}]`);
          }
        }
        for (let byte = 0; byte < 32; byte++) {
          check(false, verifyInclusion(flipByte(leaf, byte), m, n, proof, root), `leaf ${m} hash`);
          check(false, verifyInclusion(leaf, m, n, proof, flipByte(root, byte)), `leaf ${m} root`);
        }
        const short = proof.slice(0, -1);
        check(proof.length === 0, verifyInclusion(leaf, m, n, short, root), `leaf ${m} short`);
        check(false, verifyInclusion(leaf, m, n, [...proof, leaf], root), `leaf ${m} long`);
        if (n > 1) check(false, verifyInclusion(leaf, (m + 1) % n, n, proof, root), `leaf ${m} at`);
      }
      expect(wrong).toEqual([]);
    },
  );

  it.each(SIZES)('every consistency proof m ≤ %i verifies, and every flipped byte fails', (n) => {
    const leaves = randomLeaves(n, `cons-${n}`);
    const root2 = rootOf(leaves);
    const wrong: string[] = [];
    const check = (want: boolean, got: boolean, what: string): void => {
      if (want !== got) wrong.push(what);
    };
    for (let m = 1; m <= n; m++) {
      const root1 = rootOf(leaves.slice(0, m));
      const proof = consistencyProof(leaves, m);
      check(true, verifyConsistency(m, n, proof, root1, root2), `from ${m}`);
      for (let i = 0; i < proof.length; i++) {
        for (let byte = 0; byte < 32; byte++) {
          const bad = flipped(proof, i, byte);
          check(
            false,
            verifyConsistency(m, n, bad, root1, root2),
            `from ${m} proof[${i}][${byte}]`,
          );
        }
      }
      for (let byte = 0; byte < 32; byte++) {
        const [bad1, bad2] = [flipByte(root1, byte), flipByte(root2, byte)];
        check(false, verifyConsistency(m, n, proof, bad1, root2), `from ${m} root1[${byte}]`);
        check(false, verifyConsistency(m, n, proof, root1, bad2), `from ${m} root2[${byte}]`);
      }
      if (m < n) {
        const short = proof.slice(0, -1);
        check(false, verifyConsistency(m, n, short, root1, root2), `from ${m} short`);
        check(false, verifyConsistency(m + 1, n, proof, root1, root2), `from ${m} size1+1`);
      }
      check(false, verifyConsistency(m, n, [...proof, root1], root1, root2), `from ${m} long`);
    }
    expect(wrong).toEqual([]);
  });

  it('detects a rewritten earlier entry through the consistency proof', () => {
    const leaves = randomLeaves(20, 'rewrite');
    const root1 = rootOf(leaves.slice(0, 11));
    const rewritten = [...leaves];
    rewritten[4] = leafHash(Uint8Array.of(42));
    const proof = consistencyProof(rewritten, 11);
    expect(verifyConsistency(11, 20, proof, root1, rootOf(rewritten))).toBe(false);
  });
});

describe('malformed input', () => {
  const leaves = randomLeaves(5, 'bad');
  const root = rootOf(leaves);
  const proof = inclusionProof(leaves, 2);
  const leaf = leaves[2] as Uint8Array;

  it('verification returns false and never throws', () => {
    const bad: unknown[] = [undefined, null, -1, 1.5, Number.NaN, 2 ** 60, 'x', {}];
    const vi = verifyInclusion as (...args: unknown[]) => boolean;
    const vc = verifyConsistency as (...args: unknown[]) => boolean;
    for (const x of bad) {
      expect(vi(x, 2, 5, proof, root)).toBe(false);
      expect(vi(leaf, x, 5, proof, root)).toBe(false);
      expect(vi(leaf, 2, x, proof, root)).toBe(false);
      expect(vi(leaf, 2, 5, x, root)).toBe(false);
      expect(vi(leaf, 2, 5, [x], root)).toBe(false);
      expect(vi(leaf, 2, 5, proof, x)).toBe(false);
      expect(vc(x, 5, [], root, root)).toBe(false);
      expect(vc(2, x, [], root, root)).toBe(false);
      expect(vc(2, 5, x, root, root)).toBe(false);
      expect(vc(2, 5, [x], root, root)).toBe(false);
      expect(vc(2, 5, consistencyProof(leaves, 2), x, root)).toBe(false);
      expect(vc(2, 5, consistencyProof(leaves, 2), rootOf(leaves.slice(0, 2)), x)).toBe(false);
    }
    expect(vi(leaf.subarray(1), 2, 5, proof, root)).toBe(false);
  });

  it('handles sizes beyond 32 bits with exact bit arithmetic', () => {
    // A single leaf's path in a huge tree: wrong without BigInt, false here rather than a throw.
    expect(verifyInclusion(leaf, 2 ** 40, 2 ** 40 + 1, proof, root)).toBe(false);
    expect(verifyConsistency(2 ** 40, 2 ** 41, [root], root, root)).toBe(false);
  });

  it('generation rejects indexes outside the tree', () => {
    expect(() => inclusionProof(leaves, 5)).toThrow(RangeError);
    expect(() => inclusionProof(leaves, -1)).toThrow(RangeError);
    expect(() => consistencyProof(leaves, 6)).toThrow(RangeError);
    expect(consistencyProof(leaves, 0)).toEqual([]);
    expect(consistencyProof(leaves, 5)).toEqual([]);
  });

  it('the empty tree is consistent only with itself, and only with its own root', () => {
    expect(verifyConsistency(0, 0, [], emptyRoot(), emptyRoot())).toBe(true);
    expect(verifyConsistency(0, 0, [], root, root)).toBe(false);
    expect(verifyConsistency(0, 5, [], emptyRoot(), root)).toBe(false);
  });
});

describe('CompactRange', () => {
  it('gives the same root as rootOf after every append (0..300 leaves)', () => {
    const leaves = randomLeaves(300, 'compact');
    const range = new CompactRange();
    expect(hex(range.root())).toBe(hex(emptyRoot()));
    leaves.forEach((leaf, i) => {
      range.append(leaf);
      expect(range.size).toBe(i + 1);
      expect(hex(range.root())).toBe(hex(rootOf(leaves.slice(0, i + 1))));
      // One stored hash per set bit of the size: O(log n) memory.
      expect(range.hashes().length).toBe((i + 1).toString(2).replaceAll('0', '').length);
    });
  });

  it('resumes from a saved frontier', () => {
    const leaves = randomLeaves(77, 'resume');
    const first = new CompactRange();
    leaves.slice(0, 45).forEach((l) => first.append(l));
    const resumed = CompactRange.from(first.size, first.hashes());
    leaves.slice(45).forEach((l) => resumed.append(l));
    expect(hex(resumed.root())).toBe(hex(rootOf(leaves)));
  });

  it('rejects a frontier that does not fit the size, and bad leaf hashes', () => {
    const h = leafHash(Uint8Array.of(1));
    expect(() => CompactRange.from(3, [h])).toThrow(RangeError);
    expect(() => CompactRange.from(-1, [])).toThrow(RangeError);
    expect(() => CompactRange.from(1, [h.subarray(1)])).toThrow(RangeError);
    expect(CompactRange.from(0, []).size).toBe(0);
    expect(() => new CompactRange().append(Uint8Array.of(1))).toThrow(RangeError);
  });
});
