import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BatchRejectedError, TaxgateError } from '../src/errors.ts';
import { listEvents } from '../src/ledger/events.store.ts';
import { buildServer } from '../src/server/server.ts';
import { courtOrderDigest } from '../src/policy/holds.ts';
import { buildItem } from './support/builders.ts';
import { evidencePositions } from '../src/intake/batches.store.ts';
import { TEST_DATABASES } from './support/databases.ts';
import { openScenario, TAXPAYERS, type Scenario } from './support/scenario.ts';

const { maria, jose } = TAXPAYERS;
const order = { court_order: '1:26-cv-00042 (D.D.C.)', reason: 'temporary restraining order' };

async function rejectionCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BatchRejectedError);
    return (err as BatchRejectedError).code;
  }
  throw new Error('the batch was accepted');
}

async function errorOf(p: Promise<unknown>): Promise<TaxgateError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TaxgateError);
    return err as TaxgateError;
  }
  throw new Error('no error');
}

for (const kind of TEST_DATABASES) {
  describe(`suspensions and holds on ${kind}`, () => {
    let s: Scenario;
    beforeEach(async () => {
      s = await openScenario(kind);
    });
    afterEach(() => s.done());

    const results = async (batchId: string) =>
      (await s.tg.results(batchId, 'test')).document.items.map((i) => [
        i.request_id,
        i.result,
        i.reasons,
      ]);

    it('refuses new batches under a suspended agreement until it is resumed, all on the ledger', async () => {
      const hold = await s.tg.placeHold(
        { scope: 'agreement', agreement_id: 'ice-2026', ...order },
        'operator:ann',
      );
      expect(hold).toMatchObject({ scope: 'agreement', target: 'ice-2026', lifted_at: null });
      expect(await rejectionCode(s.submit([buildItem(maria)]))).toBe('AGREEMENT_SUSPENDED');

      const lifted = await s.tg.liftHold(
        hold.id,
        { court_order: '1:26-cv-00042 order of 3 Dec' },
        'operator:bob',
      );
      expect(lifted).toMatchObject({
        lifted_by: 'operator:bob',
        lift_court_order: '1:26-cv-00042 order of 3 Dec',
      });
      const id = await s.submit([buildItem({ ...maria, request_id: 'after' })]);
      await s.tg.processBatch(id);
      expect((await s.tg.operatorView(id)).items[0]).toMatchObject({ outcome: 'CONFIRMED' });

      const events = await listEvents(s.tg.db);
      const placed = events.find((e) => e.type === 'hold.placed')!;
      expect(placed.payload).toEqual({
        hold_id: hold.id,
        scope: 'agreement',
        target: 'ice-2026',
        // The reference can name the parties: only its digest goes on the ledger.
        court_order_sha256: courtOrderDigest(order.court_order),
      });
      expect(JSON.stringify(events.map((e) => e.payload))).not.toContain(order.court_order);
      expect(placed.actor).toBe('operator:ann');
      expect(events.find((e) => e.type === 'hold.lifted')!.payload).toEqual({
        hold_id: hold.id,
        scope: 'agreement',
        court_order_sha256: courtOrderDigest('1:26-cv-00042 order of 3 Dec'),
      });
      const rejected = events.filter((e) => e.type === 'batch.rejected');
      expect(rejected.map((e) => e.payload.code)).toEqual(['AGREEMENT_SUSPENDED']);
    });

    it('refuses new batches from a suspended agency', async () => {
      await s.tg.placeHold({ scope: 'agency', agency: 'DHS/ICE', ...order }, 'operator:ann');
      expect(await rejectionCode(s.submit([buildItem(maria)]))).toBe('AGENCY_SUSPENDED');
    });

    it('a hold placed between matched and release: the items come back SUSPENDED', async () => {
      const id = await s.submit([
        buildItem({ ...maria, request_id: 'm' }),
        buildItem({ ...jose, request_id: 'j' }),
        buildItem({ request_id: 'bad', street: 'Failed to Provide' }),
      ]);
      await s.tg.processBatch(id);
      const view = await s.tg.operatorView(id);
      expect(view.state).toBe('matched');
      expect(view.items.map((i) => i.outcome)).toEqual([
        'CONFIRMED',
        'CONFIRMED',
        'REJECTED_INCOMPLETE',
      ]);

      const hold = await s.tg.placeHold(
        { scope: 'agreement', agreement_id: 'ice-2026', ...order },
        'operator:ann',
      );
      await s.tg.approve(id, 'operator:officer');
      expect(await results(id)).toEqual([
        ['m', 'SUSPENDED', []],
        ['j', 'SUSPENDED', []],
        ['bad', 'REJECTED_INCOMPLETE', ['ADDRESS_PLACEHOLDER']],
      ]);
      // The operator still sees that a hold replaced the proposal.
      expect((await s.tg.operatorView(id)).items[0]).toEqual({
        request_id: 'm',
        outcome: 'SUSPENDED',
        reasons: ['HOLD_APPLIED'],
      });
      const events = await listEvents(s.tg.db, id);
      const types = events.map((e) => e.type);
      // Suspended inside the release transaction, before the release is recorded.
      expect(types.indexOf('items.suspended')).toBeLessThan(types.indexOf('batch.released'));
      expect(events.find((e) => e.type === 'items.suspended')!.payload).toEqual({
        phase: 'release',
        items: 2,
        first_position: 0,
        last_position: 1,
        hold_ids: [hold.id],
      });
    });

    it('a subject hold in flight suspends that subject only; its identity never reaches the ledger', async () => {
      const id = await s.submit([
        buildItem({ ...maria, request_id: 'm', unit: 'Apt 2' }),
        buildItem({ ...jose, request_id: 'j' }),
      ]);
      await s.tg.processBatch(id);
      // A hold named by name, street and city/state covers a request that also has a ZIP and a unit.
      const hold = await s.tg.placeHold(
        {
          scope: 'subject',
          subject: {
            first_name: 'MARIA',
            last_name: 'garcia',
            street: '123 Main Street',
            city: 'Houston',
            state: 'Texas',
          },
          ...order,
        },
        'operator:ann',
      );
      // One locality form, the name folded whole (v1) and as matching reads it (v2).
      expect(hold).toMatchObject({ scope: 'subject', target: null, subject_identifiers: 2 });
      await s.tg.approve(id, 'operator:officer');
      expect((await results(id)).map((r) => r[1])).toEqual(['SUSPENDED', 'CONFIRMED']);
      const ledger = JSON.stringify(await listEvents(s.tg.db));
      for (const pii of [
        'Maria',
        'MARIA',
        'Garcia',
        'GARCIA',
        'Main',
        'MAIN',
        'Houston',
        'HOUSTON',
      ]) {
        expect(ledger).not.toContain(pii);
      }
      const placed = (await listEvents(s.tg.db)).find((e) => e.type === 'hold.placed')!;
      expect(placed.payload.subject_hashes).toEqual([
        expect.stringMatching(/^[\w-]{43}$/),
        expect.stringMatching(/^[\w-]{43}$/),
      ]);
      expect(placed.payload).not.toHaveProperty('reason');
    });

    it('a subject hold covers the name written as matching reads it the same', async () => {
      // The order's caption writes both given names in the first-name field; the request
      // puts the second in the middle-name field. Matching compares the two as exact, so a
      // hold on one must stop the other (the eighth hunt: it escaped).
      await s.tg.placeHold(
        {
          scope: 'subject',
          subject: {
            first_name: 'María Luisa',
            last_name: 'García',
            street: '123 Main St',
            zip: '77001',
          },
          ...order,
        },
        'operator:ann',
      );
      const id = await s.submit([
        buildItem({ ...maria, request_id: 'm', first_name: 'MARIA', middle_name: 'LUISA' }),
        buildItem({ ...jose, request_id: 'j' }),
      ]);
      await s.tg.processBatch(id);
      const view = await s.tg.operatorView(id);
      expect(view.items.map((i) => [i.request_id, i.outcome])).toEqual([
        ['m', 'SUSPENDED'],
        ['j', 'CONFIRMED'],
      ]);
    });

    it('a hold placed before person:v2 gains its identifiers when placed again under its order', async () => {
      const subject = {
        first_name: 'María Luisa',
        last_name: 'García',
        street: '123 Main St',
        zip: '77001',
      };
      const placed = await s.tg.placeHold({ scope: 'subject', subject, ...order }, 'operator:ann');
      // As placed before v2: its v1 hash only.
      await sql`update holds set subject_hashes = subject_hashes[1:1] where id = ${placed.id}`.execute(
        s.tg.db,
      );
      const again = await s.tg.placeHold({ scope: 'subject', subject, ...order }, 'operator:ann');
      expect(again).toMatchObject({ id: placed.id, subject_identifiers: 2 });
      const amended = (await listEvents(s.tg.db)).filter((e) => e.type === 'hold.amended');
      expect(amended.map((e) => e.payload)).toEqual([
        {
          hold_id: placed.id,
          scope: 'subject',
          added_subject_hashes: [expect.stringMatching(/^[\w-]{43}$/)],
          court_order_sha256: courtOrderDigest(order.court_order),
        },
      ]);
      // Nothing left to add: the same order a third time is the hold that exists.
      await expect(
        s.tg.placeHold({ scope: 'subject', subject, ...order }, 'operator:ann'),
      ).rejects.toMatchObject({ code: 'HOLD_EXISTS' });
      const id = await s.submit([
        buildItem({ ...maria, request_id: 'm', first_name: 'MARIA', middle_name: 'LUISA' }),
      ]);
      await s.tg.processBatch(id);
      expect((await s.tg.operatorView(id)).items.map((i) => i.outcome)).toEqual(['SUSPENDED']);
    });

    it('a hold placed before matching: held items are SUSPENDED and never matched', async () => {
      const id = await s.submit([
        buildItem({ ...maria, request_id: 'm', a_number: 'A012345678' }),
        buildItem({ ...jose, request_id: 'j' }),
        buildItem({ ...jose, request_id: 'bad', reason: 'Investigation' }),
      ]);
      await s.tg.placeHold(
        { scope: 'subject', subject: { a_number: '12345678' }, ...order },
        'operator:ann',
      );
      await s.tg.processBatch(id);
      const view = await s.tg.operatorView(id);
      expect(view.items.map((i) => [i.request_id, i.outcome])).toEqual([
        ['m', 'SUSPENDED'],
        ['j', 'CONFIRMED'],
        ['bad', 'REJECTED_INCOMPLETE'],
      ]);
      // No explanation (no comparison with any taxpayer) exists for the held item.
      expect(await evidencePositions(s.tg.db, id)).toEqual([1]);
      const matched = (await listEvents(s.tg.db, id)).find((e) => e.type === 'items.matched')!;
      expect(matched.payload).toMatchObject({ items: 1, returns_inspected: 1 });
      expect(
        (await listEvents(s.tg.db, id)).find((e) => e.type === 'items.suspended')!.payload,
      ).toMatchObject({
        phase: 'match',
        items: 1,
      });
    });

    it('an agreement hold placed after submission suspends every valid item of the batch in flight', async () => {
      const id = await s.submit([
        buildItem({ ...maria, request_id: 'm' }),
        buildItem({ ...jose, request_id: 'bad', zip: '', street: '75201' }),
      ]);
      const hold = await s.tg.placeHold(
        { scope: 'agreement', agreement_id: 'ice-2026', ...order },
        'operator:ann',
      );
      await s.tg.processBatch(id);
      expect((await s.tg.operatorView(id)).items.map((i) => i.outcome)).toEqual([
        'SUSPENDED',
        'REJECTED_INCOMPLETE',
      ]);
      // Lifting the hold does not undo a suspension: the item is asked again in a new batch.
      await s.tg.liftHold(hold.id, { court_order: 'order lifting' }, 'operator:ann');
      await s.tg.approve(id, 'operator:officer');
      expect((await results(id)).map((r) => r[1])).toEqual(['SUSPENDED', 'REJECTED_INCOMPLETE']);
    });

    it('refuses bad holds with specific codes and no subject data in the message', async () => {
      const codeOf = async (input: unknown) =>
        (await errorOf(s.tg.placeHold(input, 'operator:ann'))).code;
      expect(await codeOf({ scope: 'agreement', agreement_id: 'ice-2026', reason: 'x' })).toBe(
        'HOLD_INVALID',
      );
      expect(
        await codeOf({
          scope: 'agreement',
          agreement_id: 'ice-2026',
          court_order: ' ',
          reason: 'x',
        }),
      ).toBe('HOLD_INVALID');
      expect(await codeOf({ scope: 'planet', ...order })).toBe('HOLD_INVALID');
      expect(await codeOf({ scope: 'agreement', agreement_id: 'nope', ...order })).toBe(
        'AGREEMENT_NOT_FOUND',
      );
      expect(await codeOf({ scope: 'agency', agency: 'Nobody', ...order })).toBe(
        'AGENCY_NOT_FOUND',
      );
      const unidentified = await errorOf(
        s.tg.placeHold(
          {
            scope: 'subject',
            subject: { first_name: 'Zelda', last_name: 'Quux', zip: '77001' },
            ...order,
          },
          'a',
        ),
      );
      expect(unidentified.code).toBe('HOLD_SUBJECT_UNIDENTIFIED');
      expect(unidentified.message).not.toContain('Zelda');
      const bad = await errorOf(
        s.tg.placeHold(
          { scope: 'subject', subject: { first_name: 'Zelda\u0000', last_name: 'Quux' }, ...order },
          'a',
        ),
      );
      expect(bad.code).toBe('HOLD_INVALID');
      expect(JSON.stringify([bad.message, bad.details])).not.toContain('Zelda');

      const hold = await s.tg.placeHold(
        { scope: 'agency', agency: 'DHS/ICE', ...order },
        'operator:ann',
      );
      expect(await codeOf({ scope: 'agency', agency: 'DHS/ICE', ...order })).toBe('HOLD_EXISTS');
      expect((await errorOf(s.tg.liftHold('hld_nope', { court_order: 'x' }, 'a'))).code).toBe(
        'HOLD_NOT_FOUND',
      );
      expect((await errorOf(s.tg.liftHold(hold.id, {}, 'a'))).code).toBe('HOLD_INVALID');
      await s.tg.liftHold(hold.id, { court_order: 'x' }, 'a');
      expect((await errorOf(s.tg.liftHold(hold.id, { court_order: 'x' }, 'a'))).code).toBe(
        'HOLD_ALREADY_LIFTED',
      );
      // Nothing refused was recorded as placed or lifted.
      const types = (await listEvents(s.tg.db)).map((e) => e.type);
      expect(types.filter((t) => t === 'hold.placed')).toHaveLength(1);
      expect(types.filter((t) => t === 'hold.lifted')).toHaveLength(1);
    });

    describe('admin API', () => {
      let app: FastifyInstance;
      beforeEach(async () => {
        app = await buildServer(s.tg);
      });
      afterEach(() => app.close());
      const operator = () => ({
        authorization: `Bearer ${s.tg.operatorToken}`,
        'taxgate-actor': 'ann',
      });

      it('places, lists and lifts holds with the operator token only', async () => {
        const anon = await app.inject({
          method: 'POST',
          url: '/v1/admin/holds',
          payload: { scope: 'agreement', agreement_id: 'ice-2026', ...order },
        });
        expect(anon.statusCode).toBe(401);
        const placed = await app.inject({
          method: 'POST',
          url: '/v1/admin/holds',
          headers: operator(),
          payload: { scope: 'agreement', agreement_id: 'ice-2026', ...order },
        });
        expect(placed.statusCode).toBe(201);
        const hold = placed.json<{ id: string; placed_by: string }>();
        expect(hold.placed_by).toBe('operator:ann');
        const listed = await app.inject({
          method: 'GET',
          url: '/v1/admin/holds',
          headers: operator(),
        });
        expect(listed.json<{ holds: { id: string }[] }>().holds.map((h) => h.id)).toEqual([
          hold.id,
        ]);

        const invalid = await app.inject({
          method: 'POST',
          url: `/v1/admin/holds/${hold.id}/resume`,
          headers: operator(),
          payload: {},
        });
        expect(invalid.statusCode).toBe(400);
        expect(invalid.json<{ error: { code: string } }>().error.code).toBe('HOLD_INVALID');
        const resumed = await app.inject({
          method: 'POST',
          url: `/v1/admin/holds/${hold.id}/resume`,
          headers: operator(),
          payload: { court_order: 'order lifting' },
        });
        expect(resumed.statusCode).toBe(200);
        const again = await app.inject({
          method: 'POST',
          url: `/v1/admin/holds/${hold.id}/resume`,
          headers: operator(),
          payload: { court_order: 'order lifting' },
        });
        expect(again.statusCode).toBe(409);
        const none = await app.inject({
          method: 'GET',
          url: '/v1/admin/holds',
          headers: operator(),
        });
        expect(none.json<{ holds: unknown[] }>().holds).toEqual([]);
        const all = await app.inject({
          method: 'GET',
          url: '/v1/admin/holds?all=true',
          headers: operator(),
        });
        expect(all.json<{ holds: unknown[] }>().holds).toHaveLength(1);
      });
    });
  });
}
