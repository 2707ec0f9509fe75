import { afterEach, describe, expect, it } from 'vitest';
import { listEvents } from '../src/ledger/events.store.ts';
import { buildItem } from './support/builders.ts';
import { TEST_DATABASES } from './support/databases.ts';
import { openScenario, TAXPAYERS, type Scenario } from './support/scenario.ts';

const { maria, jose } = TAXPAYERS;
const DAY = 86_400_000;

for (const kind of TEST_DATABASES) {
  describe(`retention purge on ${kind}`, () => {
    let s: Scenario;
    afterEach(() => s.done());

    it('removes request text after retention_days, keeping hashes, outcomes, results and the ledger', async () => {
      s = await openScenario(kind, { retention_days: 30 });
      const id = await s.submit([
        buildItem({ ...maria, request_id: 'm' }),
        buildItem({ ...jose, request_id: 'bad', reason: 'Investigation' }),
      ]);
      await s.tg.processBatch(id);
      const open = await s.submit([buildItem({ ...jose, request_id: 'not-released' })]);
      await s.tg.approve(id, 'operator:o');
      const before = (await s.tg.results(id, 'test')).jws;

      // Not yet due: nothing listed, nothing removed.
      expect(
        await s.tg.purge({
          dryRun: true,
          actor: 'operator:ann',
          now: new Date(Date.now() + 29 * DAY),
        }),
      ).toEqual({
        dry_run: true,
        batches: [],
        items: 0,
      });
      const later = new Date(Date.now() + 31 * DAY);
      const dry = await s.tg.purge({ dryRun: true, actor: 'operator:ann', now: later });
      expect(dry).toEqual({
        dry_run: true,
        items: 2,
        batches: [
          {
            batch_id: id,
            agreement_id: 'ice-2026',
            released_at: expect.any(String),
            retention_days: 30,
            items: 2,
          },
        ],
      });
      expect(JSON.stringify(dry)).not.toMatch(/Maria|Garcia|Main|Houston/);
      const texts = async (batch: string) =>
        (
          await s.tg.db
            .selectFrom('batch_items')
            .select('item')
            .where('batch_id', '=', batch)
            .orderBy('position')
            .execute()
        ).map((r) => r.item);
      expect((await texts(id))[0]).toContain('Garcia');
      expect((await listEvents(s.tg.db)).map((e) => e.type)).not.toContain('batch.purged');

      const done = await s.tg.purge({ dryRun: false, actor: 'operator:ann', now: later });
      expect(done).toMatchObject({ dry_run: false, items: 2, batches: [{ batch_id: id }] });
      expect(await texts(id)).toEqual(['null', 'null']);
      // A batch that was not released keeps its text.
      expect((await texts(open))[0]).toContain('Lopez');
      // Keyed hashes of both items (the rejected one too), outcomes, results, ledger remain.
      const hashed = await s.tg.db
        .selectFrom('item_subjects')
        .select('position')
        .distinct()
        .where('batch_id', '=', id)
        .orderBy('position')
        .execute();
      expect(hashed.map((h) => h.position)).toEqual([0, 1]);
      expect((await s.tg.operatorView(id)).items).toEqual([
        { request_id: 'm', outcome: 'CONFIRMED', reasons: [] },
        { request_id: 'bad', outcome: 'REJECTED_INCOMPLETE', reasons: ['REASON_PLACEHOLDER'] },
      ]);
      expect((await s.tg.results(id, 'test')).jws).toBe(before);
      const purged = (await listEvents(s.tg.db, id)).filter((e) => e.type === 'batch.purged');
      expect(purged).toHaveLength(1);
      expect(purged[0]!.actor).toBe('operator:ann');
      expect(purged[0]!.payload).toMatchObject({ items: 2, retention_days: 30 });
      expect((await s.tg.verifyLedger()).ok).toBe(true);

      // Twice is once.
      expect(await s.tg.purge({ dryRun: false, actor: 'operator:ann', now: later })).toMatchObject({
        items: 0,
      });

      // A subject purged from text is still a duplicate within the window.
      const again = await s.submit([buildItem({ ...maria, request_id: 'm-again' })]);
      await s.tg.processBatch(again);
      expect((await s.tg.operatorView(again)).items[0]!.reasons).toEqual([
        'DUPLICATE_SUBJECT_IN_WINDOW',
      ]);
    });
  });
}
