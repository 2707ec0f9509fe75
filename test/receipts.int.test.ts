import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Taxgate } from '../src/app.ts';
import { makeClientAssertion } from '../src/auth/client-assertion.ts';
import { listCheckpoints } from '../src/ledger/checkpoints.store.ts';
import { buildServer } from '../src/server/server.ts';
import {
  addTestOfficial,
  buildAgreement,
  buildItem,
  MARIA_RETURN,
  envelope,
  returnsCsv,
  signEnvelope,
} from './support/builders.ts';
import { openTestTaxgate, TEST_DATABASES } from './support/databases.ts';
import { verifyReceipt, type ReceiptJson } from './support/receipt-verifier.ts';

for (const kind of TEST_DATABASES) {
  describe(`receipts of released results on ${kind}`, () => {
    let tg: Taxgate;
    let done: () => Promise<void>;
    let app: FastifyInstance;
    let batchId: string;
    let assertion: () => Promise<string>;

    beforeAll(async () => {
      ({ tg, done } = await openTestTaxgate(kind));
      await tg.applyAgreement(buildAgreement(), 'operator:test');
      const { id, keys } = await addTestOfficial(tg, 'ice-2026', 'operator:test');
      assertion = () => makeClientAssertion(id, keys.privateKey);
      await tg.importTaxpayers(returnsCsv([MARIA_RETURN]), { actor: 'operator:test' });
      const jws = await signEnvelope(
        envelope('ice-2026', id, [
          buildItem({ request_id: 'hit' }),
          buildItem({ request_id: 'miss', zip: '12345' }),
        ]),
        keys.privateKey,
      );
      ({ batch_id: batchId } = await tg.submitBatch(Buffer.from(jws)));
      expect(await tg.drainQueue()).toBe(1);
      await tg.approve(batchId, 'operator:test');
      app = await buildServer(tg);
    });
    afterAll(async () => {
      await app.close();
      await done();
    });

    const fetchResults = async () => {
      const res = await app.inject({
        url: `/v1/batches/${batchId}/results`,
        headers: { authorization: `Bearer ${await assertion()}` },
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ jws: string; log: ReceiptJson }>();
    };

    it('carries a receipt that the independent verifier accepts', async () => {
      // No checkpoint covers the release yet: serving the results signs one.
      const before = await listCheckpoints(tg.db);
      expect(before).toEqual([]);
      const { jws, log } = await fetchResults();
      expect(log.format).toBe('taxgate-receipt/1');
      expect(Object.keys(log).sort()).toEqual(
        ['checkpoint', 'format', 'inclusion_proof', 'leaf', 'leaf_index'].sort(),
      );
      expect(() => verifyReceipt(log, tg.ledger.vkey, batchId, jws)).not.toThrow();
      const leaf = JSON.parse(Buffer.from(log.leaf, 'base64').toString('utf8'));
      expect(leaf).toMatchObject({ type: 'batch.released', batch_id: batchId });
      expect((await listCheckpoints(tg.db)).length).toBe(1);

      // A later download gets a receipt to a later checkpoint (its own download is in it).
      const again = await fetchResults();
      expect(again.log.leaf_index).toBe(log.leaf_index);
      expect(again.log.checkpoint).not.toBe(log.checkpoint);
      expect(() => verifyReceipt(again.log, tg.ledger.vkey, batchId, again.jws)).not.toThrow();
    });

    it('fails to verify when any byte of the receipt is changed', async () => {
      const { jws, log } = await fetchResults();
      const bytes = Buffer.from(JSON.stringify(log), 'utf8');
      let checked = 0;
      for (let i = 0; i < bytes.length; i++) {
        const changed = Buffer.from(bytes);
        changed[i] = changed[i]! ^ 0x01;
        let accepted = false;
        try {
          verifyReceipt(
            JSON.parse(changed.toString('utf8')) as ReceiptJson,
            tg.ledger.vkey,
            batchId,
            jws,
          );
          accepted = true;
        } catch {
          // detected: not JSON any more, or the verifier refused it
        }
        expect(
          accepted,
          `byte ${i} changed (${JSON.stringify(changed.toString('utf8').slice(Math.max(0, i - 10), i + 10))})`,
        ).toBe(false);
        checked++;
      }
      expect(checked).toBe(bytes.length);
      expect(checked).toBeGreaterThan(300);
    });

    it('binds the receipt to the released JWS, the batch and the ledger key', async () => {
      const { jws, log } = await fetchResults();
      const [h, p, s] = jws.split('.') as [string, string, string];
      const otherSig = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BA' : 'AA'}`;
      expect(() => verifyReceipt(log, tg.ledger.vkey, batchId, otherSig)).toThrow(
        /another result document/,
      );
      expect(() => verifyReceipt(log, tg.ledger.vkey, 'bat_other', jws)).toThrow(
        /not the release of this batch/,
      );
      const otherKey = tg.ledger.vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+');
      expect(() => verifyReceipt(log, otherKey, batchId, jws)).toThrow();
    });
  });
}
