import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Taxgate } from '../src/app.ts';
import { addDays, validateItem } from '../src/policy/item-rules.ts';
import { buildServer } from '../src/server/server.ts';
import {
  addTestOfficial,
  buildAgreement,
  buildItem,
  buildOfficialKeys,
  envelope,
  today,
  signEnvelope,
} from './support/builders.ts';
import { evidencePositions } from '../src/intake/batches.store.ts';
import { openTestTaxgate, TEST_DATABASES } from './support/databases.ts';
import { HOSTILE_STRINGS } from './support/hostile.ts';

/** Strings an attacker or a broken client sends. */
const hostile = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(...HOSTILE_STRINGS, 'x'.repeat(10_000)),
);
const FIELDS = [
  'request_id',
  'first_name',
  'middle_name',
  'last_name',
  'street',
  'unit',
  'city',
  'state',
  'zip',
  'dob',
  'removal_order_date',
  'statute',
  'reason',
  'investigation_id',
  'recipients',
  'taxable_periods',
  'judicial_review',
  'court_final_order_date',
];
const anyValue = fc.oneof(
  hostile,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostile, { maxLength: 3 }),
  fc.object({ maxDepth: 2 }),
);
/** A lawful item with some fields replaced by hostile values, or anything at all. */
const mangledItem = fc.oneof(
  fc
    .record({ field: fc.constantFrom(...FIELDS), value: anyValue }, { noNullPrototype: true })
    .map(({ field, value }) => buildItem({ [field]: value })),
  fc.dictionary(fc.constantFrom(...FIELDS, '__proto__', 'constructor'), anyValue, { maxKeys: 8 }),
  anyValue,
);

const ctx = { agreement: buildAgreement(), today: today() };

describe('item rules under random and adversarial input', () => {
  it('judge any value without throwing, and never pass a hostile name or address', () => {
    fc.assert(
      fc.property(mangledItem, (raw) => {
        const v = validateItem(raw, ctx);
        if (v.valid) {
          for (const f of ['first_name', 'last_name', 'street', 'city'] as const) {
            expect(v.item[f]).not.toMatch(/[\p{Cc}\p{Cf}<>]/u);
          }
          expect(v.item.street).not.toMatch(/^(failed to provide|unknown address|n\/a|\d+)$/i);
        } else {
          expect(v.reasons.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

for (const kind of TEST_DATABASES) {
  describe(`the batch API under random batches on ${kind}`, () => {
    let tg: Taxgate;
    let done: () => Promise<void>;
    let app: FastifyInstance;
    let officialId: string;
    let keys: Awaited<ReturnType<typeof buildOfficialKeys>>;
    const operator = () => ({ authorization: `Bearer ${tg.operatorToken}` });

    beforeAll(async () => {
      ({ tg, done } = await openTestTaxgate(kind));
      app = await buildServer(tg);
      // Runs re-request the same subjects: the window across batches is tested in
      // agreement-v2.int.test.ts, not here.
      await tg.applyAgreement(buildAgreement({ duplicate_window_days: 0 }), 'test');
      ({ id: officialId, keys } = await addTestOfficial(tg));
    });
    afterAll(async () => {
      await app.close();
      await done();
    });

    it(
      'gives every item of a signed random batch exactly one outcome, and matches none that is refused',
      { timeout: 300_000 },
      async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(mangledItem, { minLength: 1, maxLength: 12 }),
            async (items) => {
              // One lawful item in every batch: it must not be dragged down by the others.
              // (A name and address no built item has, so it is nobody's duplicate.)
              const lawful = buildItem({
                request_id: 'lawful-one',
                first_name: 'Zelda',
                street: '9 Lawful Way',
                removal_order_date: addDays(today(), -200),
              });
              const jws = await signEnvelope(
                envelope('ice-2026', officialId, [...items, lawful]),
                keys.privateKey,
              );
              const res = await app.inject({
                method: 'POST',
                url: '/v1/batches',
                headers: { 'content-type': 'application/jose', ...operator() },
                payload: jws,
              });
              expect(res.statusCode).toBeLessThan(500);
              if (res.statusCode !== 202) return;
              const { batch_id } = res.json() as { batch_id: string };
              await tg.processBatch(batch_id);
              const view = await tg.operatorView(batch_id);
              expect(view.items).toHaveLength(items.length + 1);
              for (const i of view.items) expect(i.outcome).not.toBeNull();
              const last = view.items[view.items.length - 1]!;
              expect(last).toMatchObject({ request_id: 'lawful-one' });
              // The lawful item stands unless a random item took its request id first.
              if (view.items.filter((i) => i.request_id === 'lawful-one').length === 1) {
                expect(last.outcome).toBe('NOT_CONFIRMED');
              }
              // Refused items were never matched: no explanation, so no taxpayer row read.
              const explained = new Set(await evidencePositions(tg.db, batch_id));
              for (const [position, i] of view.items.entries()) {
                if (explained.has(position)) expect(i.outcome?.startsWith('REJECTED_')).toBe(false);
              }
            },
          ),
          { numRuns: 25 },
        );
      },
    );

    it(
      'answers garbage bodies with a 4xx in the error shape, never a 5xx',
      { timeout: 120_000 },
      async () => {
        const deep = '['.repeat(5000) + ']'.repeat(5000);
        const bodies = fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.constantFrom(
            deep,
            '{"protected":"a","payload":"b","signature":"c","__proto__":{"x":1}}',
            '{"a":1,"a":2}',
            'a.b.c',
            '..',
            '{',
          ),
        );
        await fc.assert(
          fc.asyncProperty(
            bodies,
            fc.constantFrom('application/jose', 'application/jose+json', 'application/json'),
            async (body, type) => {
              const res = await app.inject({
                method: 'POST',
                url: '/v1/batches',
                headers: { 'content-type': type, ...operator() },
                payload: body,
              });
              expect(res.statusCode).toBeGreaterThanOrEqual(400);
              expect(res.statusCode).toBeLessThan(500);
              expect(res.json()).toMatchObject({
                error: { code: expect.any(String), message: expect.any(String) },
              });
            },
          ),
          { numRuns: 100 },
        );
      },
    );
  });
}
