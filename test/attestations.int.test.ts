import { afterEach, describe, expect, it } from 'vitest';
import { listEvents } from '../src/ledger/events.store.ts';
import { buildItem, codeOf } from './support/builders.ts';
import { TEST_DATABASES } from './support/databases.ts';
import { openScenario, TAXPAYERS, type Scenario } from './support/scenario.ts';

const { maria, jose, ana } = TAXPAYERS;

for (const kind of TEST_DATABASES) {
  describe(`over-attestation flag on ${kind}`, () => {
    let s: Scenario;
    afterEach(() => s.done());

    it('flags a batch once the official attests to more open investigations than allowed', async () => {
      s = await openScenario(kind, { attestation_review_threshold: 3 });
      const first = await s.submit([
        buildItem({ ...maria, investigation_id: 'INV-1' }),
        buildItem({ ...jose, investigation_id: 'INV-2' }),
        // The same investigation twice, and one padded: still two investigations.
        buildItem({ ...ana, investigation_id: ' INV-2 ' }),
      ]);
      await s.tg.processBatch(first);
      // A hostile item (NUL in the text) neither counts nor breaks the count.
      const second = await s.submit([
        buildItem({ ...maria, request_id: 'x', investigation_id: 'INV-3' }),
        buildItem({ ...jose, request_id: 'y', investigation_id: 'INV-4' }),
        buildItem({ request_id: 'z', first_name: 'A\u0000', investigation_id: 'INV-5' }),
      ]);
      await s.tg.processBatch(second);
      const flagged = (await listEvents(s.tg.db)).filter((e) => e.type === 'attestations.flagged');
      expect(flagged.map((e) => [e.batch_id, e.payload])).toEqual([
        [second, { official_id: s.officialId, investigations: 4, threshold: 3 }],
      ]);

      // The first batch is released as usual; the flagged one waits for a person.
      await s.tg.approve(first, 'operator:o');
      expect(await codeOf(s.tg.approve(second, 'operator:o'))).toBe('BATCH_FLAGGED_FOR_REVIEW');
      expect(await codeOf(s.tg.clearReviewFlags(second, ' ', 'operator:o'))).toBe(
        'FLAG_NOTE_INVALID',
      );
      const cleared = await s.tg.clearReviewFlags(
        second,
        'checked with the agency: task force of 4',
        'operator:lead',
      );
      expect(cleared).toEqual([
        expect.objectContaining({
          code: 'ATTESTATIONS_OVER_THRESHOLD',
          cleared_by: 'operator:lead',
        }),
      ]);
      expect(await codeOf(s.tg.clearReviewFlags(second, 'again', 'operator:lead'))).toBe(
        'NO_OPEN_FLAG',
      );
      expect(await s.tg.approve(second, 'operator:o')).toMatchObject({ state: 'released' });
      expect((await listEvents(s.tg.db, second)).map((e) => e.type)).toContain(
        'review_flag.cleared',
      );

      // Released batches are no longer open: a new batch counts only its own investigations.
      const third = await s.submit([
        buildItem({ ...ana, request_id: 'w', investigation_id: 'INV-9' }),
      ]);
      expect(
        (await listEvents(s.tg.db, third)).filter((e) => e.type === 'attestations.flagged'),
      ).toEqual([]);
    });

    it('does not flag without a threshold', async () => {
      s = await openScenario(kind);
      const id = await s.submit(
        Array.from({ length: 5 }, (_, i) =>
          buildItem({ ...maria, request_id: `r${i}`, investigation_id: `INV-${i}` }),
        ),
      );
      expect((await listEvents(s.tg.db, id)).map((e) => e.type)).not.toContain(
        'attestations.flagged',
      );
    });
  });
}
