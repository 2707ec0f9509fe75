import { setTimeout } from 'node:timers/promises';
import { importJWK, type CryptoKey } from 'jose';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyResultJws } from '../src/disclosure/result-document.ts';
import { BatchRejectedError } from '../src/errors.ts';
import {
  claimBatch,
  claimNextBatch,
  insertOutcomes,
  leaseFence,
  recordProcessingFailure,
} from '../src/intake/batches.store.ts';
import { keepLease, processBatch } from '../src/intake/pipeline.ts';
import { listEvents } from '../src/ledger/events.store.ts';
import { RULE_SET_VERSION } from '../src/policy/item-rules.ts';
import { modelByVersion } from '../src/matching/engine.store.ts';
import { keepAgreementOrder } from '../src/matching/scoring.ts';
import { givenNamesCompatible } from '../src/matching/given-names.ts';
import { DEFAULT_MODEL } from '../src/matching/model.ts';
import { trainModel } from '../src/matching/training.ts';
import type { Taxgate } from '../src/app.ts';
import {
  addTestOfficial,
  buildAgreement,
  buildItem,
  buildOfficialKeys,
  codeOf,
  MARIA_RETURN,
  envelope,
  returnsCsv,
  signEnvelope,
} from './support/builders.ts';
import { openTestTaxgate, TEST_DATABASES } from './support/databases.ts';
import { TAXPAYERS } from './support/scenario.ts';

for (const kind of TEST_DATABASES) {
  describe(`batch pipeline on ${kind}`, () => {
    let tg: Taxgate;
    let done: () => Promise<void>;
    let officialId: string;
    let keys: Awaited<ReturnType<typeof buildOfficialKeys>>;

    beforeEach(async () => {
      ({ tg, done } = await openTestTaxgate(kind));
      await tg.applyAgreement(buildAgreement(), 'test');
      ({ id: officialId, keys } = await addTestOfficial(tg));
      await tg.importTaxpayers(
        returnsCsv([
          MARIA_RETURN,
          [
            '000000001',
            '2023',
            'Maria',
            '',
            'Garcia',
            '9 Old Rd',
            '',
            'Dallas',
            'TX',
            '75201',
            '1980-01-01',
          ],
          ['000000002', '2024', 'Jose', '', 'Lopez', '9 Old Road', '', 'Dallas', 'TX', '75201', ''],
          // Two taxpayers with the same name at the same address: never a confirmation.
          ['000000003', '2024', 'Juan', '', 'Perez', '5 Elm Ave', '', 'Miami', 'FL', '33101', ''],
          [
            '000000004',
            '2024',
            'Juan',
            '',
            'Perez',
            '5 Elm Avenue',
            '',
            'Miami',
            'FL',
            '33101',
            '',
          ],
        ]),
        { actor: 'test' },
      );
    });
    afterEach(() => done());

    /** Signs and submits a batch of `items`; returns its id, not processed yet. */
    const receive = async (items: unknown[]) => {
      const jws = await signEnvelope(envelope('ice-2026', officialId, items), keys.privateKey);
      return (await tg.submitBatch(Buffer.from(jws))).batch_id;
    };
    /** The lease on a batch runs out, as when its worker crashed. */
    const expireLease = (id: string) =>
      sql`update batches set lease_until = now() - interval '1 second' where id = ${id}`.execute(
        tg.db,
      );
    const submit = async (items: unknown[]) => {
      const id = await receive(items);
      await tg.processBatch(id);
      return id;
    };

    it('confirms an exact match on the address of record and nothing else', async () => {
      const id = await submit([
        buildItem({ request_id: 'hit', street: '123 MAIN ST', zip: '77001-1234' }),
        buildItem({ request_id: 'old-address', street: '9 Old Rd', city: 'Dallas', zip: '75201' }),
        buildItem({
          request_id: 'ambiguous',
          first_name: 'Juan',
          last_name: 'Perez',
          street: '5 Elm Ave',
          city: 'Miami',
          state: 'FL',
          zip: '33101',
        }),
        buildItem({
          request_id: 'no-zip',
          street: '123 Main St',
          zip: '',
          city: 'houston',
          state: 'Texas',
        }),
        buildItem({ request_id: 'placeholder', street: 'Failed to Provide' }),
      ]);
      const view = await tg.operatorView(id);
      expect(view.state).toBe('matched');
      expect(view.items).toEqual([
        { request_id: 'hit', outcome: 'CONFIRMED', reasons: [] },
        { request_id: 'old-address', outcome: 'NOT_CONFIRMED', reasons: ['MATCH_NONE'] },
        // Two taxpayers with the same name at the same address: never confirmed.
        { request_id: 'ambiguous', outcome: 'NOT_CONFIRMED', reasons: ['MATCH_AMBIGUOUS'] },
        { request_id: 'no-zip', outcome: 'CONFIRMED', reasons: [] },
        {
          request_id: 'placeholder',
          outcome: 'REJECTED_INCOMPLETE',
          reasons: ['ADDRESS_PLACEHOLDER'],
        },
      ]);
    });

    it('releases a signed document with codes only, and records every step', async () => {
      const id = await submit([
        buildItem({ request_id: 'a' }),
        buildItem({ request_id: 'b', zip: '12345' }),
      ]);
      await tg.approve(id, 'operator:test');
      const { document, jws } = await tg.results(id, 'operator:test');
      const verified = await verifyResultJws(
        jws,
        (await importJWK(tg.resultPublicJwk, 'EdDSA')) as CryptoKey,
      );
      expect(verified.kid).toBe(tg.resultPublicJwk.kid);
      expect(verified.document).toEqual(document);
      expect(document.items).toEqual([
        { request_id: 'a', result: 'CONFIRMED', reasons: [] },
        { request_id: 'b', result: 'NOT_CONFIRMED', reasons: [] },
      ]);
      expect(document.notice).toMatch(/independently verified before any adverse action/);
      expect(JSON.stringify(document)).not.toMatch(/Garcia|Main|77001/i);
      const types = (await listEvents(tg.db, id)).map((e) => e.type);
      expect(types).toEqual([
        'batch.received',
        'batch.validated',
        'items.matched',
        'batch.matched',
        'batch.approved',
        'batch.released',
        'results.downloaded',
      ]);
      await expect(tg.approve(id, 'operator:test')).rejects.toMatchObject({
        code: 'BATCH_ALREADY_RELEASED',
      });
    });

    it('rejects a tampered signature as a whole batch, reading no item', async () => {
      const jws = await signEnvelope(
        envelope('ice-2026', officialId, [buildItem()]),
        keys.privateKey,
      );
      const [h, p, s] = jws.split('.');
      const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
      payload.items[0].street = '1 Other St';
      const tampered = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
      const err = await tg.submitBatch(Buffer.from(tampered)).catch((e) => e);
      expect(err).toBeInstanceOf(BatchRejectedError);
      expect(err.code).toBe('BATCH_SIGNATURE_INVALID');
      const status = await tg.batchStatus(err.batchId);
      expect(status).toMatchObject({
        state: 'rejected',
        rejection_code: 'BATCH_SIGNATURE_INVALID',
      });
      expect((await tg.operatorView(err.batchId)).items).toEqual([]);
    });

    it('rejects a batch signed by an unknown official', async () => {
      const jws = await signEnvelope(
        envelope('ice-2026', 'off_nobody', [buildItem()]),
        keys.privateKey,
      );
      await expect(tg.submitBatch(Buffer.from(jws))).rejects.toMatchObject({
        code: 'OFFICIAL_UNKNOWN',
      });
    });

    it('treats the same signed envelope submitted twice as one batch', async () => {
      const jws = await signEnvelope(
        envelope('ice-2026', officialId, [buildItem()]),
        keys.privateKey,
      );
      const a = await tg.submitBatch(Buffer.from(jws));
      const b = await tg.submitBatch(Buffer.from(jws));
      expect(b).toEqual({ batch_id: a.batch_id, state: 'received', duplicate: true });
    });

    it('matches pages in two lanes: every item once, and a failing lane stops the other', async () => {
      const items = Array.from({ length: 30 }, (_, i) =>
        buildItem({ request_id: `l${i}`, street: `${200 + i} Main St` }),
      );
      const first = await receive(items);
      await tg.processBatch(first, { pageSize: 4, lanes: 2 });
      const view = await tg.operatorView(first);
      expect(view.state).toBe('matched');
      expect(view.items.map((i) => i.request_id)).toEqual(items.map((i) => i.request_id));
      const matched = (await listEvents(tg.db, first)).filter((e) => e.type === 'items.matched');
      expect(matched).toHaveLength(8); // ceil(30 / 4) pages, each recorded once
      expect(matched.reduce((n, e) => n + (e.payload.items as number), 0)).toBe(30);
      const positions = matched.flatMap((e) => {
        const p = e.payload as { first_position: number; last_position: number };
        return Array.from(
          { length: p.last_position - p.first_position + 1 },
          (_, k) => p.first_position + k,
        );
      });
      expect(positions.sort((a, b) => a - b)).toEqual(items.map((_, i) => i));

      const second = await receive(
        items.map((_, k) => buildItem({ request_id: `m${k}`, street: `${300 + k} Main St` })),
      );
      let progress = 0;
      await expect(
        tg.processBatch(second, {
          pageSize: 4,
          lanes: 2,
          onProgress: (phase, done) => {
            if (phase === 'match' && done > 0 && ++progress === 2) throw new Error('lane down');
          },
        }),
      ).rejects.toThrow('lane down');
      // The other lane stopped: at most the pages in flight were written.
      const written = (await tg.operatorView(second)).items.filter((i) => i.outcome !== null);
      expect(written.length).toBeLessThanOrEqual(3 * 4);
      await tg.processBatch(second, { pageSize: 4, lanes: 2 });
      const after = await tg.operatorView(second);
      expect(after.state).toBe('matched');
      expect(after.items.every((i) => i.outcome !== null)).toBe(true);
      const again = (await listEvents(tg.db, second)).filter((e) => e.type === 'items.matched');
      expect(again.reduce((n, e) => n + (e.payload.items as number), 0)).toBe(30);
    });

    it('resumes an interrupted run without losing or duplicating an outcome', async () => {
      const items = Array.from({ length: 23 }, (_, i) =>
        buildItem({
          request_id: `r${i}`,
          street: `${100 + i} Main St`,
          ...(i % 5 === 0 ? { street: 'Unknown Address' } : {}),
        }),
      );
      const batch_id = await receive(items);
      // Crash after the second page of matching: the progress callback throws.
      let pages = 0;
      await expect(
        tg.processBatch(batch_id, {
          pageSize: 4,
          onProgress: (phase, done) => {
            if (phase === 'match' && done > 0 && ++pages === 2) throw new Error('simulated crash');
          },
        }),
      ).rejects.toThrow('simulated crash');
      expect((await tg.operatorView(batch_id)).state).toBe('validated');
      await tg.processBatch(batch_id, { pageSize: 4 });
      const view = await tg.operatorView(batch_id);
      expect(view.state).toBe('matched');
      expect(view.items.map((i) => i.request_id)).toEqual(items.map((i) => i.request_id));
      expect(view.items.every((i) => i.outcome !== null)).toBe(true);
      expect(view.items.filter((i) => i.outcome === 'REJECTED_INCOMPLETE')).toHaveLength(5);
      const matched = (await listEvents(tg.db, batch_id)).filter((e) => e.type === 'items.matched');
      expect(matched.reduce((n, e) => n + (e.payload.items as number), 0)).toBe(18);
    });

    it('judges items again when the rules changed between validation and matching', async () => {
      const items = [
        buildItem({ request_id: 'a', street: '100 Main St' }),
        buildItem({ request_id: 'b', street: '101 Main St' }),
      ];
      const batch_id = await receive(items);
      // Validate only: stop as the match phase starts.
      await expect(
        tg.processBatch(batch_id, {
          onProgress: (phase) => {
            if (phase === 'match') throw new Error('stopped before matching');
          },
        }),
      ).rejects.toThrow('stopped before matching');
      // As if validated by an older program, and an item changed since (a rule it breaks).
      await sql`update batches set rule_set_version = 'rules-older' where id = ${batch_id}`.execute(
        tg.db,
      );
      await sql`update batch_items set item = ${JSON.stringify({ ...items[1], street: '' })}
                 where batch_id = ${batch_id} and position = 1`.execute(tg.db);
      // The item that no longer passes is refused under today's rules, and nothing is
      // read for it; the other is matched (one bad item never sinks its batch).
      await tg.processBatch(batch_id);
      const view = await tg.operatorView(batch_id);
      expect(view.state).toBe('matched');
      expect(view.items).toEqual([
        { request_id: 'a', outcome: 'NOT_CONFIRMED', reasons: ['MATCH_NONE'] },
        { request_id: 'b', outcome: 'REJECTED_INCOMPLETE', reasons: ['ADDRESS_ZIP_ONLY'] },
      ]);
      const { rows } = await sql<{ position: number; rule_set_version: string }>`
        select position, rule_set_version from item_outcomes
         where batch_id = ${batch_id} order by position`.execute(tg.db);
      expect(rows).toEqual([
        { position: 0, rule_set_version: 'rules-older' },
        { position: 1, rule_set_version: RULE_SET_VERSION },
      ]);
      const inspected = await sql<{ position: number }>`
        select distinct position from inspections where batch_id = ${batch_id}`.execute(tg.db);
      expect(inspected.rows.map((r) => r.position)).not.toContain(1);
      const rejected = (await listEvents(tg.db, batch_id)).filter(
        (e) => e.type === 'items.rejected',
      );
      expect(rejected.map((e) => e.payload)).toEqual([
        expect.objectContaining({ items: 1, rule_set_version: RULE_SET_VERSION }),
      ]);
      // Never answered, its subject does not make a later request a duplicate.
      const subjects = await sql<{ position: number }>`
        select distinct position from item_subjects where batch_id = ${batch_id}`.execute(tg.db);
      expect(subjects.rows.map((r) => r.position)).toEqual([0]);
    });

    it('processes a batch under one lease at a time, and waits while another worker holds it', async () => {
      const items = [
        buildItem({ request_id: 'a', street: '123 Main St' }),
        buildItem({ request_id: 'b', street: '5 Elm Ave', first_name: 'Juan', last_name: 'Perez' }),
      ];
      const batch_id = await receive(items);
      const lease = async () =>
        (
          await sql<{ lease_owner: string | null }>`
            select lease_owner from batches where id = ${batch_id}`.execute(tg.db)
        ).rows[0]!.lease_owner;
      expect(await claimBatch(tg.db, batch_id, 'wrk_other', 120)).toBe(true);
      // Pipeline level: refused with its code while the other lease is live.
      expect(
        await codeOf(processBatch(tg.db, batch_id, { worker: 'wrk_mine', subjectHash: () => 'h' })),
      ).toBe('BATCH_LEASED');
      // The app waits instead, reading and writing nothing meanwhile...
      let finished = false;
      const said: string[] = [];
      const waiting = tg
        .processBatch(batch_id, { onWaiting: (m) => said.push(m) })
        .then(() => (finished = true));
      await setTimeout(1500);
      expect(finished).toBe(false);
      expect(await tg.operatorView(batch_id)).toMatchObject({ state: 'received' });
      expect(await lease()).toBe('wrk_other');
      // ...until the other worker's lease runs out (it crashed): then it takes over.
      await expireLease(batch_id);
      await waiting;
      expect(said).toEqual([
        expect.stringMatching(
          /^batch bat_\S+ is being processed by another worker \(its lease runs until /,
        ),
      ]);
      const view = await tg.operatorView(batch_id);
      expect(view.state).toBe('matched');
      expect(view.items.map((i) => i.outcome)).toEqual(['CONFIRMED', 'NOT_CONFIRMED']);
      expect(await lease()).toBeNull(); // given back at the end
      // A worker whose lease was taken stops at its next page, before reading anything.
      const taken = await receive([buildItem()]);
      expect(await claimBatch(tg.db, taken, 'wrk_a', 120)).toBe(true);
      await expireLease(taken);
      expect(await claimBatch(tg.db, taken, 'wrk_b', 120)).toBe(true);
      expect(await claimBatch(tg.db, taken, 'wrk_a', 120)).toBe(false);
      expect(
        await codeOf(tg.db.transaction().execute((trx) => leaseFence(trx, taken, 'wrk_a'))),
      ).toBe('BATCH_LEASE_LOST');
      await tg.db.transaction().execute((trx) => leaseFence(trx, taken, 'wrk_b'));
      // A finished batch is not claimed again: processing it does nothing.
      await tg.processBatch(batch_id);
      expect(await lease()).toBeNull();
      expect(await claimBatch(tg.db, batch_id, 'wrk_late', 120)).toBe(false);
    });

    it('holds back a batch that keeps failing, and processes the batches behind it', async () => {
      const failing = await receive([buildItem({ request_id: 'stuck' })]);
      const behind = await receive([buildItem({ request_id: 'behind' })]);
      // A fault that outlasts any retry: the item's stored text cannot be read.
      await tg.db
        .updateTable('batch_items')
        .set({ item: '{not json' })
        .where('batch_id', '=', failing)
        .execute();
      const failures: unknown[] = [];
      expect(await tg.drainQueue((f) => failures.push(f))).toBe(1);
      expect((await tg.operatorView(behind)).state).toBe('matched');
      const first = await tg.operatorView(failing);
      expect(first.state).toBe('received');
      expect(first.processing).toMatchObject({ failed_attempts: 1, last_error: 'INTERNAL_ERROR' });
      const wait = Date.parse(first.processing.retry_after!) - Date.now();
      expect(wait).toBeGreaterThan(5_000); // 15 s after the failure
      expect(wait).toBeLessThanOrEqual(15_000);
      expect(failures).toEqual([
        {
          batch_id: failing,
          error: 'INTERNAL_ERROR',
          failed_attempts: 1,
          retry_after: first.processing.retry_after,
        },
      ]);
      const recorded = (await listEvents(tg.db)).filter(
        (e) => e.type === 'batch.processing_failed',
      );
      expect(recorded.map((e) => [e.batch_id, e.payload])).toEqual([
        [
          failing,
          {
            failed_attempts: 1,
            error: 'INTERNAL_ERROR',
            retry_after: first.processing.retry_after,
          },
        ],
      ]);
      // Not tried again before its time; then tried, and the wait doubles.
      expect(await tg.drainQueue((f) => failures.push(f))).toBe(0);
      expect(failures).toHaveLength(1);
      const due = () =>
        tg.db
          .updateTable('batches')
          .set({ retry_after: sql<Date>`now() - interval '1 second'` })
          .where('id', '=', failing)
          .execute();
      await due();
      expect(await tg.drainQueue((f) => failures.push(f))).toBe(0);
      const second = (await tg.operatorView(failing)).processing;
      expect(second.failed_attempts).toBe(2);
      expect(Date.parse(second.retry_after!) - Date.now()).toBeGreaterThan(20_000); // 30 s
      // Mended, and due: processed like any other batch, its failures kept as history.
      await tg.db
        .updateTable('batch_items')
        .set({ item: JSON.stringify(buildItem({ request_id: 'stuck' })) })
        .where('batch_id', '=', failing)
        .execute();
      await due();
      expect(await tg.drainQueue()).toBe(1);
      const mended = await tg.operatorView(failing);
      expect(mended.state).toBe('matched');
      expect(mended.processing.failed_attempts).toBe(2);
    });

    it('does not charge a failure to a batch another worker has claimed since', async () => {
      const id = await receive([buildItem({ request_id: 'taken' })]);
      expect(await claimBatch(tg.db, id, 'wrk_other', 60)).toBe(true);
      const failure = { error: 'INTERNAL_ERROR', actor: 'system:test', delaySeconds: () => 15 };
      expect(await recordProcessingFailure(tg.db, id, { ...failure, worker: 'wrk_mine' })).toBe(
        null,
      );
      expect((await tg.operatorView(id)).processing.failed_attempts).toBe(0);
      // Its own worker's failure, or one recorded once the lease was given back, counts.
      expect(
        await recordProcessingFailure(tg.db, id, { ...failure, worker: 'wrk_other' }),
      ).toMatchObject({ failed_attempts: 1 });
    });

    it('renews a lease while pages commit, and lets it run out when they stop', async () => {
      const batch_id = await receive([buildItem()]);
      expect(await claimBatch(tg.db, batch_id, 'wrk_long', 2)).toBe(true);
      const lease = keepLease(tg.db, batch_id, 'wrk_long', 2);
      try {
        // Pages commit for two and a half lease lengths: nobody else can claim it.
        for (let t = 0; t < 5000; t += 250) {
          lease.progressed();
          await setTimeout(250);
        }
        expect(await claimBatch(tg.db, batch_id, 'wrk_other', 120)).toBe(false);
        // Stuck: no page commits, so the lease is no longer renewed and runs out.
        await setTimeout(3000);
        expect(await claimBatch(tg.db, batch_id, 'wrk_other', 120)).toBe(true);
      } finally {
        lease.stop();
      }
    });

    it('a worker whose lease is taken between pages stops before its next page reads', async () => {
      const items = ['Ana', 'Rosa', 'Luz'].map((first_name, i) =>
        buildItem({ request_id: `t${i}`, first_name }),
      );
      const batch_id = await receive(items);
      const count = async (table: 'item_outcomes' | 'inspection_requests' | 'evidence_pages') =>
        (
          await tg.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('batch_id', '=', batch_id)
            .executeTakeFirstOrThrow()
        ).n;
      const subjectHash = (v: string) => `h:${v.length}`;
      // Worker A matches one page; then its lease runs out and worker B takes the batch.
      await expect(
        processBatch(tg.db, batch_id, {
          worker: 'wrk_a',
          pageSize: 1,
          subjectHash,
          onProgress: async (phase, done) => {
            if (phase !== 'match' || done !== 1) return;
            await expireLease(batch_id);
            expect(await claimBatch(tg.db, batch_id, 'wrk_b', 120)).toBe(true);
          },
        }),
      ).rejects.toMatchObject({ code: 'BATCH_LEASE_LOST' });
      // A read the returns of its first page only, and accounted for them.
      expect(Number(await count('item_outcomes'))).toBe(1);
      expect(Number(await count('inspection_requests'))).toBe(1);
      expect(Number(await count('evidence_pages'))).toBe(1);
      expect(await tg.operatorView(batch_id)).toMatchObject({ state: 'validated' });
      // B finishes the batch under its own lease: every item once, every read accounted.
      await processBatch(tg.db, batch_id, { worker: 'wrk_b', pageSize: 1, subjectHash });
      expect(Number(await count('item_outcomes'))).toBe(3);
      expect(Number(await count('inspection_requests'))).toBe(3);
      const view = await tg.operatorView(batch_id);
      expect(view.state).toBe('matched');
      expect(view.items.map((i) => i.outcome)).toEqual([
        'NOT_CONFIRMED',
        'NOT_CONFIRMED',
        'NOT_CONFIRMED',
      ]);
    });

    it('keeps an outcome already written, or fails the write where a page is the only writer', async () => {
      const batch_id = await receive([
        buildItem({ request_id: 'one' }),
        buildItem({ request_id: 'two' }),
      ]);
      const outcome = (position: number, result: string) => ({
        position,
        request_id: null,
        outcome: result,
        reasons: ['MATCH_NONE', 'ANOTHER_REASON'],
        rule_set_version: 'test',
        model_version: null,
      });
      const stored = () =>
        sql<{ position: number; outcome: string; reasons: string[] }>`
          select position, outcome, reasons from item_outcomes where batch_id = ${batch_id}
           order by position`
          .execute(tg.db)
          .then((r) => r.rows);
      expect(await insertOutcomes(tg.db, batch_id, [outcome(0, 'NOT_CONFIRMED')])).toHaveLength(1);
      // A replayed validation page: the first outcome stays, the new one is written.
      const replay = [outcome(0, 'CONFIRMED'), outcome(1, 'NOT_CONFIRMED')];
      expect((await insertOutcomes(tg.db, batch_id, replay)).map((o) => o.position)).toEqual([1]);
      const before = await stored();
      expect(before).toEqual([
        { position: 0, outcome: 'NOT_CONFIRMED', reasons: ['MATCH_NONE', 'ANOTHER_REASON'] },
        { position: 1, outcome: 'NOT_CONFIRMED', reasons: ['MATCH_NONE', 'ANOTHER_REASON'] },
      ]);
      const twice = insertOutcomes(tg.db, batch_id, replay, { existing: 'fail' });
      await expect(twice).rejects.toMatchObject({ code: '23505' });
      expect(await stored()).toEqual(before);
    });

    // Only a server has two sessions at once; PGlite's single connection cannot.
    if (kind === 'postgres') {
      it('does not hand over a batch whose page is in flight, however old its lease', async () => {
        const batch_id = await receive([buildItem()]);
        expect(await claimBatch(tg.db, batch_id, 'wrk_a', 120)).toBe(true);
        await expireLease(batch_id);
        const page = await tg.db.startTransaction().execute();
        let claim: Promise<boolean> | undefined;
        try {
          await leaseFence(page, batch_id, 'wrk_a');
          // The queue passes over it; a claim of this batch waits for the page.
          expect(await claimNextBatch(tg.db, 'wrk_b', 120)).toBeNull();
          let settled = false;
          claim = claimBatch(tg.db, batch_id, 'wrk_b', 120).finally(() => (settled = true));
          await setTimeout(500);
          expect(settled).toBe(false);
        } finally {
          await page.commit().execute();
        }
        expect(await claim).toBe(true); // then takes it: A's lease had run out
        expect(
          await codeOf(tg.db.transaction().execute((trx) => leaseFence(trx, batch_id, 'wrk_a'))),
        ).toBe('BATCH_LEASE_LOST');
      });
    }

    it("releases only when the agreement's number of different approvers have approved", async () => {
      await tg.applyAgreement(buildAgreement({ release_approvals: 2 }), 'operator:test');
      const id = await submit([buildItem({ request_id: 'hit' })]);
      expect(await tg.approve(id, 'operator:ann')).toEqual({
        batch_id: id,
        state: 'matched',
        approvals: 1,
        approvals_required: 2,
        released_at: null,
      });
      await expect(tg.results(id, 'operator:ann')).rejects.toMatchObject({
        code: 'RESULTS_NOT_RELEASED',
      });
      // The same approver twice is still one approval.
      await expect(tg.approve(id, 'operator:ann')).rejects.toMatchObject({
        code: 'BATCH_ALREADY_APPROVED_BY_ACTOR',
      });
      const second = await tg.approve(id, 'operator:bob');
      expect(second).toMatchObject({ state: 'released', approvals: 2, approvals_required: 2 });
      const { document } = await tg.results(id, 'operator:bob');
      expect(document.items).toEqual([{ request_id: 'hit', result: 'CONFIRMED', reasons: [] }]);
      const approvals = (await listEvents(tg.db, id)).filter((e) => e.type === 'batch.approved');
      expect(approvals.map((e) => [e.actor, e.payload])).toEqual([
        ['operator:ann', { approvals: 1, required: 2 }],
        ['operator:bob', { approvals: 2, required: 2 }],
      ]);
    });

    it('holds a batch with an undecided item until a person decides it, then releases it', async () => {
      const id = await submit([
        buildItem({ request_id: 'hit' }),
        // A misspelt street: the right person, probably, but a person must say so.
        buildItem({
          request_id: 'typo',
          first_name: 'Jose',
          last_name: 'Lopez',
          street: '9 Olf Road',
          city: 'Dallas',
          zip: '75201',
        }),
      ]);
      const view = await tg.operatorView(id);
      expect(view.state).toBe('in_review');
      expect(view.items[1]).toEqual({
        request_id: 'typo',
        outcome: 'PENDING_REVIEW',
        reasons: ['ADDRESS_DIFFERS'],
      });
      await expect(tg.approve(id, 'operator:test')).rejects.toMatchObject({
        code: 'BATCH_HAS_PENDING_REVIEW',
      });
      await expect(tg.review(id, 'hit', 'CONFIRMED', 'operator:test')).rejects.toMatchObject({
        code: 'REVIEW_ITEM_NOT_FOUND',
      });
      const decided = await tg.review(id, 'typo', 'NOT_CONFIRMED', 'operator:test');
      expect(decided).toEqual({
        batch_id: id,
        request_id: 'typo',
        outcome: 'NOT_CONFIRMED',
        batch_state: 'matched',
      });
      await tg.approve(id, 'operator:test');
      const { document } = await tg.results(id, 'operator:test');
      expect(document.items).toEqual([
        { request_id: 'hit', result: 'CONFIRMED', reasons: [] },
        { request_id: 'typo', result: 'NOT_CONFIRMED', reasons: [] },
      ]);
      const types = (await listEvents(tg.db, id)).map((e) => e.type);
      expect(types).toContain('item.reviewed');
      expect(types).toContain('batch.in_review');
    });

    it('explains an outcome as a waterfall without naming taxpayers, and records the view', async () => {
      const id = await submit([buildItem({ request_id: 'hit', first_name: 'MARÍA' })]);
      const view = await tg.explain(id, 'hit', 'operator:test');
      expect(view.outcome).toBe('CONFIRMED');
      const candidates = view.explanation.candidates as {
        rank: number;
        parts: { field: string; level: string }[];
      }[];
      expect(candidates[0]!.rank).toBe(1);
      expect(candidates[0]!.parts).toEqual(
        expect.arrayContaining([{ field: 'given', level: 'exact', weight: expect.any(Number) }]),
      );
      expect(JSON.stringify(view)).not.toMatch(/00000000/);
      expect((await listEvents(tg.db, id)).map((e) => e.type)).toContain('explanation.viewed');
      const outcomes = await tg.db
        .selectFrom('item_outcomes')
        .select('model_version')
        .where('batch_id', '=', id)
        .execute();
      expect(outcomes).toEqual([{ model_version: DEFAULT_MODEL.version }]);
    });

    it('trains a new model version that later outcomes record', async () => {
      const report = await tg.trainModel('operator:test');
      expect(report.version).toMatch(/^fs-\d{8}T\d{6}$/);
      expect(report.name_frequencies.surnames).toBeGreaterThan(0);
      expect((await listEvents(tg.db)).map((e) => e.type)).toContain('model.trained');
      const id = await submit([buildItem({ request_id: 'after-training' })]);
      const outcomes = await tg.db
        .selectFrom('item_outcomes')
        .select('model_version')
        .where('batch_id', '=', id)
        .execute();
      expect(outcomes).toEqual([{ model_version: report.version }]);
    });

    it('names a model trained again in the same second by the next free second', async () => {
      const now = new Date('2026-11-25T12:00:00Z');
      const first = await trainModel(tg.db, givenNamesCompatible, { now });
      const second = await trainModel(tg.db, givenNamesCompatible, { now });
      expect([first.version, second.version]).toEqual(['fs-20261125T120000', 'fs-20261125T120001']);
    });

    it('trains m by EM but keeps the documented prior λ', async () => {
      await submit([buildItem({ request_id: 'before-training' })]);
      const report = await trainModel(tg.db, givenNamesCompatible, { minEmPairs: 1 });
      expect(report.em_iterations).toBeGreaterThan(0);
      expect(report.em_match_share).toBeGreaterThan(0);
      expect(report.labelled_requests).toBe(0);
      expect(report.lambda).toBe(DEFAULT_MODEL.lambda);
      const trained = await modelByVersion(tg.db, report.version);
      expect(trained).toMatchObject({ lambda: DEFAULT_MODEL.lambda });
      // What was stored is constrained: no weaker level over exact, a missing date of
      // birth weighing nothing.
      const weight = (f: 'dob', l: string) =>
        Math.log2(
          (trained!.m[f] as Record<string, number>)[l]! /
            (trained!.u[f] as Record<string, number>)[l]!,
        );
      expect(keepAgreementOrder(trained!)).toEqual(trained);
      expect(weight('dob', 'missing')).toBeCloseTo(0, 6);
    });

    it('trains on no item whose request retention purged, nor one a hold suspended', async () => {
      const id = await submit([buildItem({ request_id: 'purged' })]);
      const before = await trainModel(tg.db, givenNamesCompatible, {
        minEmPairs: 1,
        now: new Date('2026-11-25T09:00:00Z'),
      });
      expect(before.em_pairs).toBeGreaterThan(0);
      // As the purge leaves it (retention.ts): JSON null where the request was.
      await sql`update batch_items set item = 'null' where batch_id = ${id}`.execute(tg.db);
      const after = await trainModel(tg.db, givenNamesCompatible, {
        minEmPairs: 1,
        now: new Date('2026-11-25T09:00:01Z'),
      });
      expect(after.em_pairs).toBe(0);
      expect(after.em_match_share).toBeNull();
      const held = await submit([
        buildItem({
          request_id: 'held',
          first_name: 'Jose',
          last_name: 'Lopez',
          street: '9 Old Road',
          city: 'Dallas',
          zip: '75201',
        }),
      ]);
      const matched = await trainModel(tg.db, givenNamesCompatible, {
        minEmPairs: 1,
        now: new Date('2026-11-25T09:00:02Z'),
      });
      expect(matched.em_pairs).toBeGreaterThan(0);
      // As a hold at release leaves it (holds.ts suspendAtRelease).
      await sql`update item_outcomes set outcome = 'SUSPENDED' where batch_id = ${held}`.execute(
        tg.db,
      );
      const suspended = await trainModel(tg.db, givenNamesCompatible, {
        minEmPairs: 1,
        now: new Date('2026-11-25T09:00:03Z'),
      });
      expect(suspended.em_pairs).toBe(0);
    });

    it("labels EM's pairs with a reviewer's confirmation, not with a refusal", async () => {
      // Misspelt streets: the right people, probably, but a person must say so.
      const id = await submit([
        buildItem({
          request_id: 'refused',
          first_name: 'Jose',
          last_name: 'Lopez',
          street: '9 Olf Road',
          city: 'Dallas',
          zip: '75201',
        }),
        buildItem({
          request_id: 'confirmed',
          street: '123 Mian St',
          city: 'Houston',
          zip: '77001',
        }),
      ]);
      expect((await tg.operatorView(id)).items.map((i) => i.outcome)).toEqual([
        'PENDING_REVIEW',
        'PENDING_REVIEW',
      ]);
      await tg.review(id, 'refused', 'NOT_CONFIRMED', 'operator:test');
      const before = await trainModel(tg.db, givenNamesCompatible, {
        minEmPairs: 1,
        now: new Date('2026-11-25T10:00:00Z'),
      });
      expect(before.em_pairs).toBeGreaterThan(1);
      expect(before.labelled_requests).toBe(0);
      await tg.review(id, 'confirmed', 'CONFIRMED', 'operator:test');
      const after = await trainModel(tg.db, givenNamesCompatible, {
        minEmPairs: 1,
        now: new Date('2026-11-25T10:00:01Z'),
      });
      expect(after.em_pairs).toBe(before.em_pairs);
      expect(after.labelled_requests).toBe(1);
    });

    it("takes the default m, not the active model's, when there are too few pairs for EM", async () => {
      // An active model trained before ADR 0016: a different given name weighed for one person.
      const m = structuredClone(DEFAULT_MODEL.m);
      m.given = { ...m.given, exact: 0.23, different: 0.73 };
      const before = { ...DEFAULT_MODEL, version: 'fs-20261101T000000', m };
      await tg.db
        .insertInto('match_models')
        .values({ version: before.version, parameters: JSON.stringify(before), training: '{}' })
        .execute();
      const report = await trainModel(tg.db, givenNamesCompatible, { minEmPairs: 1_000_000 });
      expect(report.em_iterations).toBe(0);
      expect((await modelByVersion(tg.db, report.version))?.m).toEqual(DEFAULT_MODEL.m);
    });

    it('passes over a model trained on earlier comparison levels until one is trained again', async () => {
      // Saved before the levels changed (ADR 0011): its parameters name no comparison.
      const { comparison: _levels, ...earlier } = {
        ...DEFAULT_MODEL,
        version: 'fs-20260101T000000',
      };
      await tg.db
        .insertInto('match_models')
        .values({ version: earlier.version, parameters: JSON.stringify(earlier), training: '{}' })
        .execute();
      const modelOf = async (id: string) =>
        (
          await tg.db
            .selectFrom('item_outcomes')
            .select('model_version')
            .where('batch_id', '=', id)
            .executeTakeFirstOrThrow()
        ).model_version;
      expect(await modelOf(await submit([buildItem({ request_id: 'earlier' })]))).toBe(
        DEFAULT_MODEL.version,
      );
      const report = await tg.trainModel('operator:test');
      // Another subject: the same one again would be a duplicate within the window.
      const jose = buildItem({ request_id: 'retrained', ...TAXPAYERS.jose });
      expect(await modelOf(await submit([jose]))).toBe(report.version);
      // Outcomes of the earlier default are still explained with its numbers.
      expect(await modelByVersion(tg.db, 'fs-default-3')).toMatchObject({
        version: 'fs-default-3',
        comparison: 1,
        m: DEFAULT_MODEL.m,
      });
      expect(await modelByVersion(tg.db, 'fs-default-6')).toMatchObject({
        comparison: 4,
        u: { street: { exact: 0.6, typo: 0.02, different: 0.38 } },
      });
    });

    it('rebuilds the matching index from the returns', async () => {
      await tg.db.deleteFrom('taxpayer_blocking_keys').execute();
      expect(await tg.reindexTaxpayers()).toBe(4);
      const id = await submit([buildItem({ request_id: 'hit' })]);
      expect((await tg.operatorView(id)).items[0]).toMatchObject({ outcome: 'CONFIRMED' });
    });
  });
}
