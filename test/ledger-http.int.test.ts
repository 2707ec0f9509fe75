import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Taxgate } from '../src/app.ts';
import { makeClientAssertion } from '../src/auth/client-assertion.ts';
import { appendEvents } from '../src/ledger/events.store.ts';
import { buildServer } from '../src/server/server.ts';
import { addTestOfficial, buildAgreement } from './support/builders.ts';
import { openTestTaxgate, TEST_DATABASES } from './support/databases.ts';
import {
  checkConsistency,
  checkInclusion,
  hashLeaf,
  merkleTreeHash,
  verifyCheckpoint,
} from './support/receipt-verifier.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/merkle/', import.meta.url));
const b64 = (s: string) => Buffer.from(s, 'base64');

function vectorFiles(folder: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.json')) {
        out.push(JSON.parse(readFileSync(join(dir, e.name), 'utf8')) as Record<string, unknown>);
      }
    }
  };
  walk(join(FIXTURES, folder));
  return out;
}

describe('the independent verifier (test/support/receipt-verifier.ts)', () => {
  // It checks what the server serves below, so first it must agree with every shared vector.
  it('passes every inclusion vector', () => {
    const vs = vectorFiles('inclusion');
    expect(vs.length).toBeGreaterThan(10);
    for (const v of vs) {
      const ok = checkInclusion(
        BigInt(v.leafIdx as number),
        BigInt(v.treeSize as number),
        b64((v.leafHash as string) ?? ''),
        ((v.proof as string[] | null) ?? []).map(b64),
        b64((v.root as string) ?? ''),
      );
      expect(ok, String(v.desc)).toBe(!v.wantErr);
    }
  });

  it('passes every consistency vector', () => {
    const vs = vectorFiles('consistency');
    expect(vs.length).toBeGreaterThan(10);
    for (const v of vs) {
      const ok = checkConsistency(
        BigInt(v.size1 as number),
        BigInt(v.size2 as number),
        ((v.proof as string[] | null) ?? []).map(b64),
        b64((v.root1 as string) ?? ''),
        b64((v.root2 as string) ?? ''),
      );
      expect(ok, String(v.desc)).toBe(!v.wantErr);
    }
  });
});

for (const kind of TEST_DATABASES) {
  describe(`the ledger over HTTP on ${kind}`, () => {
    let tg: Taxgate;
    let done: () => Promise<void>;
    let app: FastifyInstance;
    let base: string;
    let requester: () => Promise<string>;
    const N = 300; // more than one full tile of 256 entries

    beforeAll(async () => {
      ({ tg, done } = await openTestTaxgate(kind));
      await tg.applyAgreement(buildAgreement(), 'operator:test');
      const { id, keys } = await addTestOfficial(tg, 'ice-2026', 'operator:test');
      requester = () => makeClientAssertion(id, keys.privateKey);
      const have = await tg.ledger.sync();
      await appendEvents(
        tg.db,
        Array.from({ length: N - have }, (_, i) => ({
          type: 'probe',
          actor: 'test',
          payload: { i },
        })),
      );
      app = await buildServer(tg);
      base = await app.listen({ port: 0, host: '127.0.0.1' });
    });
    afterAll(async () => {
      await app.close();
      await done();
    });

    const get = (path: string, token: string | null = tg.auditorToken) =>
      fetch(base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const json = async <T>(path: string, token?: string) => {
      const res = await get(path, token);
      expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
      return (await res.json()) as T;
    };
    const bytes = async (path: string) => {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      return Buffer.from(await res.arrayBuffer());
    };
    /** Entries 0…N-1 through the entry bundles, decoded independently. */
    const allEntries = async (): Promise<Buffer[]> => {
      const out: Buffer[] = [];
      for (const path of ['/ledger/tile/entries/000', `/ledger/tile/entries/001.p/${N - 256}`]) {
        const bundle = await bytes(path);
        for (let at = 0; at < bundle.length;) {
          const len = bundle.readUInt16BE(at);
          out.push(bundle.subarray(at + 2, at + 2 + len));
          at += 2 + len;
        }
      }
      return out;
    };

    it('serves a signed checkpoint that verifies with `ledger key` and commits to the entries', async () => {
      const res = await get('/ledger/checkpoint');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      const cp = verifyCheckpoint(await res.text(), tg.ledger.vkey);
      expect(cp.size).toBe(BigInt(N));
      const entries = await allEntries();
      expect(entries).toHaveLength(N);
      expect(cp.root.equals(merkleTreeHash(entries))).toBe(true);
      expect(await json('/ledger/key')).toEqual({ origin: tg.ledger.origin, vkey: tg.ledger.vkey });
    });

    it('serves hash tiles that are the tree levels 0 and 8', async () => {
      const entries = await allEntries();
      const level0 = Buffer.concat([
        await bytes('/ledger/tile/0/000'),
        await bytes(`/ledger/tile/0/001.p/${N - 256}`),
      ]);
      expect(level0.equals(Buffer.concat(entries.map(hashLeaf)))).toBe(true);
      // Level 1, node 0: the root of the first 256 entries; no second one yet.
      expect(
        (await bytes('/ledger/tile/1/000.p/1')).equals(merkleTreeHash(entries.slice(0, 256))),
      ).toBe(true);
      expect((await get('/ledger/tile/0/001')).status).toBe(404); // not full yet
      expect((await get('/ledger/tile/1/000.p/2')).status).toBe(404);
      expect((await get('/ledger/tile/0/1')).status).toBe(404); // not a canonical path
      expect((await get(`/ledger/tile/0/001.p/${N - 255}`)).status).toBe(404);
    });

    it('serves inclusion proofs that the independent verifier accepts, and only for the right leaf', async () => {
      const entries = await allEntries();
      for (const size of [1, 2, 7, 64, 255, 256, 257, N]) {
        const root = merkleTreeHash(entries.slice(0, size));
        for (const index of new Set([0, 1, Math.floor(size / 2), size - 2, size - 1])) {
          if (index < 0 || index >= size) continue;
          const p = await json<{ leaf_hash: string; proof: string[] }>(
            `/ledger/proof/inclusion?index=${index}&size=${size}`,
          );
          const proof = p.proof.map(b64);
          const leaf = hashLeaf(entries[index]!);
          expect(b64(p.leaf_hash).equals(leaf)).toBe(true);
          expect(
            checkInclusion(BigInt(index), BigInt(size), leaf, proof, root),
            `${index}/${size}`,
          ).toBe(true);
          const other = hashLeaf(entries[(index + 1) % N]!);
          expect(checkInclusion(BigInt(index), BigInt(size), other, proof, root)).toBe(false);
        }
      }
      // Without size: the latest checkpoint, returned with the proof.
      const latest = await json<{ size: number; proof: string[]; checkpoint: string }>(
        '/ledger/proof/inclusion?index=5',
      );
      const cp = verifyCheckpoint(latest.checkpoint, tg.ledger.vkey);
      expect(
        checkInclusion(5n, cp.size, hashLeaf(entries[5]!), latest.proof.map(b64), cp.root),
      ).toBe(true);
    });

    it('serves consistency proofs that the independent verifier accepts', async () => {
      const entries = await allEntries();
      const root = (n: number) => merkleTreeHash(entries.slice(0, n));
      for (const [from, to] of [
        [1, 2],
        [3, 7],
        [4, 8],
        [100, 256],
        [256, N],
        [255, 257],
        [N, N],
        [17, N],
      ] as const) {
        const p = await json<{ proof: string[] }>(
          `/ledger/proof/consistency?from=${from}&to=${to}`,
        );
        const proof = p.proof.map(b64);
        expect(
          checkConsistency(BigInt(from), BigInt(to), proof, root(from), root(to)),
          `${from}→${to}`,
        ).toBe(true);
        if (from < to) {
          expect(
            checkConsistency(BigInt(from), BigInt(to), proof, root(from - 1 || 2), root(to)),
          ).toBe(false);
        }
      }
    });

    it('refuses bad sizes, and sizes beyond the log', async () => {
      expect((await get('/ledger/proof/inclusion?index=5&size=5')).status).toBe(400);
      expect((await get('/ledger/proof/inclusion?index=-1&size=5')).status).toBe(400);
      expect((await get('/ledger/proof/consistency?from=9&to=3')).status).toBe(400);
      const beyond = await get(`/ledger/proof/inclusion?index=1&size=${N + 1000}`);
      expect(beyond.status).toBe(404);
      expect(await beyond.json()).toMatchObject({ error: { code: 'LEDGER_SIZE_UNKNOWN' } });
    });

    it('lets agencies read checkpoints, hashes and proofs, but not entries; nobody without a credential', async () => {
      expect((await get('/ledger/checkpoint', null)).status).toBe(401);
      expect((await get('/ledger/tile/0/000', null)).status).toBe(401);
      expect((await get('/ledger/checkpoint', 'not-a-token')).status).toBe(401);
      const once = await requester();
      expect((await get('/ledger/checkpoint', once)).status).toBe(200);
      // An assertion is good for one request.
      const replayed = await get('/ledger/checkpoint', once);
      expect(replayed.status).toBe(401);
      expect(await replayed.json()).toMatchObject({ error: { code: 'CLIENT_ASSERTION_REPLAYED' } });
      expect((await get('/ledger/tile/0/000', await requester())).status).toBe(200);
      expect((await get('/ledger/proof/inclusion?index=0&size=3', await requester())).status).toBe(
        200,
      );
      const entries = await get('/ledger/tile/entries/000', await requester());
      expect(entries.status).toBe(403);
      expect(await entries.json()).toMatchObject({ error: { code: 'LEDGER_ENTRIES_FORBIDDEN' } });
      expect((await get('/ledger/tile/entries/000', tg.operatorToken)).status).toBe(200);
      // The auditor token opens the ledger routes and nothing else.
      expect((await get('/v1/operator/batches/bat_x', tg.auditorToken)).status).toBe(401);
    });
  });
}
