import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { addDays } from '../src/policy/item-rules.ts';
import {
  buildItem,
  buildOfficialKeys,
  codeOf,
  envelope,
  signEnvelope,
  today,
} from './support/builders.ts';
import { TEST_DATABASES } from './support/databases.ts';
import { openScenario, TAXPAYERS } from './support/scenario.ts';

/**
 * The database half of the bad-request corpus (test/fixtures/bad-requests/batches.json):
 * rules that need the agreement, earlier batches, holds or keys. Each fixture runs on a
 * fresh database and must end with exactly the code it names.
 */
interface BatchFixture {
  id: string;
  description: string;
  agreement?: Record<string, unknown>;
  earlier_batches?: { items: number; override?: Record<string, unknown> }[];
  hold?: Record<string, unknown>;
  keys?: 'rotate' | 'revoke';
  items?: number;
  override?: Record<string, unknown>;
  distinct_investigations?: boolean;
  expected_batch_code?: string;
  expected_item?: { result: string; reasons: string[] };
  expected_release_code?: string;
}

const corpus = JSON.parse(
  readFileSync(new URL('./fixtures/bad-requests/batches.json', import.meta.url), 'utf8'),
) as { fixtures: BatchFixture[] };

function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (!value || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  if (typeof o.$daysAgo === 'number') return addDays(today(), -o.$daysAgo);
  if (typeof o.$daysAhead === 'number') return addDays(today(), o.$daysAhead);
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolve(v)]));
}

const items = (n: number, over: Record<string, unknown> = {}, distinct = false) =>
  Array.from({ length: n }, (_, i) =>
    buildItem({
      ...TAXPAYERS.maria,
      ...(distinct ? { investigation_id: `INV-${i}` } : {}),
      ...(i > 0 ? TAXPAYERS.jose : {}),
      ...over,
    }),
  );

describe('bad-batch corpus: the corpus itself', () => {
  it('names one expected outcome per fixture, with unique ids', () => {
    const f = corpus.fixtures;
    expect(f.length).toBeGreaterThanOrEqual(15);
    expect(new Set(f.map((x) => x.id)).size).toBe(f.length);
    for (const x of f) {
      const expected = [x.expected_batch_code, x.expected_item, x.expected_release_code];
      expect(
        expected.filter((e) => e !== undefined),
        x.id,
      ).toHaveLength(1);
    }
  });
});

for (const kind of TEST_DATABASES) {
  describe(`bad-batch corpus on ${kind}`, () => {
    it.each(corpus.fixtures.map((f) => [f.id, f] as const))(
      '%s',
      { timeout: 60_000 },
      async (_id, f) => {
        const s = await openScenario(kind, resolve(f.agreement ?? {}) as Record<string, unknown>);
        try {
          for (const earlier of f.earlier_batches ?? []) {
            const id = await s.submit(items(earlier.items, earlier.override));
            await s.tg.processBatch(id);
          }
          if (f.hold) {
            await s.tg.placeHold(
              { ...f.hold, court_order: '1:26-cv-00042', reason: 'fixture' },
              'operator:test',
            );
          }
          let key = s.keys.privateKey;
          if (f.keys) {
            const next = await buildOfficialKeys();
            const rotated = await s.tg.rotateOfficialKey(s.officialId, next.publicJwk, 'test');
            if (f.keys === 'revoke') {
              await s.tg.revokeOfficialKey(
                s.officialId,
                rotated.thumbprint,
                { reason: 'fixture', revoked_at: new Date(Date.now() - 3_600_000).toISOString() },
                'test',
              );
              key = next.privateKey;
            }
          }
          const batch = items(f.items ?? 1, f.override, f.distinct_investigations);
          const jws = await signEnvelope(envelope('ice-2026', s.officialId, batch), key);
          let batchId: string | null = null;
          const code = await codeOf(
            s.tg.submitBatch(Buffer.from(jws)).then((r) => (batchId = r.batch_id)),
          );
          expect(code).toBe(f.expected_batch_code ?? null);
          if (f.expected_batch_code) return;
          await s.tg.processBatch(batchId!);
          const first = (await s.tg.operatorView(batchId!)).items[0]!;
          if (f.expected_item) {
            expect({ result: first.outcome, reasons: first.reasons }).toEqual(f.expected_item);
            return;
          }
          expect(first.outcome).toBe('CONFIRMED');
          expect(await codeOf(s.tg.approve(batchId!, 'operator:test'))).toBe(
            f.expected_release_code,
          );
        } finally {
          await s.done();
        }
      },
    );
  });
}
