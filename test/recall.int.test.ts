import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { listEvents } from '../src/ledger/events.store.ts';
import { RULE_SET_VERSION } from '../src/policy/item-rules.ts';
import { addDays } from '../src/policy/item-rules.ts';
import { buildItem, codeOf, today } from './support/builders.ts';
import { TEST_DATABASES } from './support/databases.ts';
import { openScenario, TAXPAYERS, type Scenario } from './support/scenario.ts';

const { maria, jose, ana } = TAXPAYERS;

for (const kind of TEST_DATABASES) {
  describe(`recall on ${kind}`, () => {
    let s: Scenario;
    afterEach(() => s.done());

    it('lists every disclosure under a version or period, records the notice, then the certificate', async () => {
      s = await openScenario(kind);
      const released = async (items: unknown[]) => {
        const id = await s.submit(items);
        await s.tg.processBatch(id);
        await s.tg.approve(id, 'operator:o');
        return id;
      };
      const a = await released([
        buildItem({ ...maria, request_id: 'm' }),
        buildItem({ ...jose, request_id: 'bad', street: 'Unknown Address' }),
        buildItem({ ...jose, request_id: 'nobody', first_name: 'Pedro', last_name: 'Nadie' }),
      ]);
      const b = await released([buildItem({ ...ana, request_id: 'a' })]);
      const pending = await s.submit([buildItem({ ...jose, request_id: 'later' })]);
      await s.tg.processBatch(pending);

      const model = (
        await s.tg.db
          .selectFrom('item_outcomes')
          .select('model_version')
          .where('batch_id', '=', a)
          .where('position', '=', 0)
          .executeTakeFirstOrThrow()
      ).model_version!;
      const expected = [
        {
          id: null,
          agency: 'DHS/ICE',
          criteria: { rule_version: RULE_SET_VERSION },
          disclosures: 3,
          batches: [
            {
              batch_id: a,
              agreement_id: 'ice-2026',
              released_at: expect.any(String),
              items: [
                { position: 0, outcome: 'CONFIRMED' },
                { position: 2, outcome: 'NOT_CONFIRMED' },
              ],
            },
            {
              batch_id: b,
              agreement_id: 'ice-2026',
              released_at: expect.any(String),
              items: [{ position: 0, outcome: 'CONFIRMED' }],
            },
          ],
          noticed_at: null,
          noticed_by: null,
          certificate: null,
        },
      ];
      const dry = await s.tg.recall(
        { rule_version: RULE_SET_VERSION },
        { dryRun: true, actor: 'operator:ann' },
      );
      expect(dry).toEqual(expected);
      expect(JSON.stringify(dry)).not.toMatch(/Maria|Garcia|Main|Pedro|Nadie|nobody/);
      expect((await listEvents(s.tg.db)).map((e) => e.type)).not.toContain('recall.noticed');

      expect(
        await s.tg.recall({ model_version: model }, { dryRun: true, actor: 'x' }),
      ).toMatchObject([{ disclosures: 3 }]);
      expect(
        await s.tg.recall({ model_version: 'no-such-model' }, { dryRun: true, actor: 'x' }),
      ).toEqual([]);
      expect(
        await s.tg.recall({ from: today(), to: today() }, { dryRun: true, actor: 'x' }),
      ).toMatchObject([{ disclosures: 3 }]);
      const tomorrow = addDays(today(), 1);
      expect(
        await s.tg.recall({ from: tomorrow, to: tomorrow }, { dryRun: true, actor: 'x' }),
      ).toEqual([]);
      for (const bad of [
        {},
        { rule_version: 'x', model_version: 'y' },
        { from: today() },
        { from: tomorrow, to: today() },
        { from: '24/11/2026', to: today() },
        { from: '2026-02-30', to: '2026-03-01' }, // no such day: refused, not a 500
      ]) {
        expect(await codeOf(s.tg.recall(bad, { dryRun: true, actor: 'x' }))).toBe(
          'RECALL_CRITERIA_INVALID',
        );
      }

      const [recall] = await s.tg.recall(
        { rule_version: RULE_SET_VERSION },
        { dryRun: false, actor: 'operator:ann' },
      );
      expect(recall).toMatchObject({
        ...expected[0],
        id: expect.stringMatching(/^rcl_/),
        noticed_by: 'operator:ann',
        noticed_at: expect.any(String),
      });
      const noticed = (await listEvents(s.tg.db)).filter((e) => e.type === 'recall.noticed');
      expect(noticed.map((e) => e.payload)).toEqual([
        {
          recall_id: recall!.id,
          agency: 'DHS/ICE',
          criteria: { rule_version: RULE_SET_VERSION },
          batches: 2,
          disclosures: 3,
          notice_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
      ]);
      expect(await s.tg.getRecall(recall!.id!)).toEqual(recall);

      const certificate = Buffer.from('%PDF-1.7 disposal certificate (synthetic)');
      expect(
        await codeOf(
          s.tg.certifyRecall(recall!.id!, { bytes: new Uint8Array(), filename: 'c.pdf' }, 'a'),
        ),
      ).toBe('CERTIFICATE_INVALID');
      expect(
        await codeOf(
          s.tg.certifyRecall('rcl_nope', { bytes: certificate, filename: 'c.pdf' }, 'a'),
        ),
      ).toBe('RECALL_NOT_FOUND');
      const certified = await s.tg.certifyRecall(
        recall!.id!,
        { bytes: certificate, filename: '/tmp/x/disposal.pdf' },
        'operator:bob',
      );
      expect(certified.certificate).toEqual({
        sha256: createHash('sha256').update(certificate).digest('hex'),
        bytes: certificate.length,
        filename: 'disposal.pdf',
        certified_at: expect.any(String),
        certified_by: 'operator:bob',
      });
      expect(
        await codeOf(
          s.tg.certifyRecall(recall!.id!, { bytes: certificate, filename: 'c.pdf' }, 'a'),
        ),
      ).toBe('RECALL_ALREADY_CERTIFIED');
      const stored = await s.tg.db
        .selectFrom('recalls')
        .select('certificate')
        .where('id', '=', recall!.id!)
        .executeTakeFirstOrThrow();
      expect(Buffer.from(stored.certificate!).equals(certificate)).toBe(true);
      const certEvent = (await listEvents(s.tg.db)).find((e) => e.type === 'recall.certified')!;
      expect(certEvent.payload).toEqual({
        recall_id: recall!.id,
        certificate_sha256: certified.certificate!.sha256,
        bytes: certificate.length,
      });
      expect((await s.tg.verifyLedger()).ok).toBe(true);
    });
  });
}
