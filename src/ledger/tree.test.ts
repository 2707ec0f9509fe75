import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';
import { LedgerTree } from './tree.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const hexes = (list: Uint8Array[]) => list.map(hex);
const leaves = (n: number) =>
  Array.from({ length: n }, (_, i) => leafHash(new TextEncoder().encode(`entry ${i}`)));

describe('LedgerTree', () => {
  const N = 70;
  const all = leaves(N);
  const tree = new LedgerTree();
  for (const h of all) tree.append(h);

  it('gives the same root as the recursive definition at every size', () => {
    for (let size = 0; size <= N; size++) {
      expect(hex(tree.rootAt(size)), `size ${size}`).toBe(hex(rootOf(all.slice(0, size))));
    }
  });

  it('gives the same inclusion proofs as merkle.ts, and they verify', () => {
    for (let size = 1; size <= N; size++) {
      const prefix = all.slice(0, size);
      for (let i = 0; i < size; i++) {
        const proof = tree.inclusionProof(i, size);
        expect(hexes(proof), `index ${i} size ${size}`).toEqual(hexes(inclusionProof(prefix, i)));
        expect(verifyInclusion(all[i]!, i, size, proof, tree.rootAt(size))).toBe(true);
      }
    }
  });

  it('gives the same consistency proofs as merkle.ts, and they verify', () => {
    for (let to = 1; to <= N; to++) {
      const prefix = all.slice(0, to);
      for (let from = 1; from <= to; from++) {
        const proof = tree.consistencyProof(from, to);
        expect(hexes(proof), `${from} → ${to}`).toEqual(hexes(consistencyProof(prefix, from)));
        expect(verifyConsistency(from, to, proof, tree.rootAt(from), tree.rootAt(to))).toBe(true);
      }
    }
  });

  it('keeps complete subtree hashes per level, as tiles list them', () => {
    // Level 1 node i is the root of leaves 2i, 2i+1; level 3 node 1 of leaves 8…15.
    expect(tree.width(0)).toBe(N);
    expect(tree.width(1)).toBe(35);
    expect(tree.width(3)).toBe(8);
    expect(hex(tree.hashes(3, 1, 1))).toBe(hex(rootOf(all.slice(8, 16))));
    expect(tree.hashes(0, 0, N).length).toBe(32 * N);
    expect(() => tree.hashes(3, 8, 1)).toThrow(RangeError);
  });

  it('refuses sizes and indexes outside the tree', () => {
    expect(() => tree.rootAt(N + 1)).toThrow(RangeError);
    expect(() => tree.inclusionProof(5, 5)).toThrow(RangeError);
    expect(() => tree.consistencyProof(6, 5)).toThrow(RangeError);
    expect(() => tree.append(new Uint8Array(31))).toThrow(RangeError);
    expect(tree.consistencyProof(0, 5)).toEqual([]);
  });

  it('grows past the initial buffer without losing hashes', () => {
    const big = new LedgerTree();
    const many = Array.from(
      { length: 1000 },
      (_, i) => new Uint8Array(createHash('sha256').update(String(i)).digest()),
    );
    for (const h of many) big.append(h);
    expect(hex(big.rootAt(1000))).toBe(hex(rootOf(many)));
    expect(hex(big.rootAt(777))).toBe(hex(rootOf(many.slice(0, 777))));
  });
});
