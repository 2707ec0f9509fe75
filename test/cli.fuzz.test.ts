import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTaxgate } from '../src/app.ts';
import { addDays } from '../src/policy/item-rules.ts';
import { buildAgreement, buildItem, buildOfficialKeys, today } from './support/builders.ts';
import { runCli, type CliRun } from './support/cli.ts';
import { freshTestEnv, TEST_DATABASES, type TestEnv } from './support/databases.ts';
import { HOSTILE_STRINGS } from './support/hostile.ts';

/**
 * Issue 4 §8 over the command line: random and adversarial arguments and batch
 * files given to the real `taxgate` command in child processes. The contract
 * (docs/cli.md): exit 0, 1 or 2, never a crash; an error is one line
 * `taxgate: <message> [<CODE>]` on stderr and, with --json, one JSON object on
 * stdout; every item of an accepted batch gets exactly one outcome.
 */

const hostile = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  // Command-line words besides: paths, an option, stdin, nothing. (An argument
  // cannot carry NUL: the operating system ends it there.)
  fc.constantFrom(
    ...HOSTILE_STRINGS.filter((h) => !h.includes('\u0000')),
    '../../etc/passwd',
    '--json',
    '-',
    '',
    'x'.repeat(5000),
  ),
);

/** No stack trace, no unhandled error: what a crash leaves behind. */
function expectNoCrash(run: CliRun): void {
  expect([0, 1, 2]).toContain(run.code);
  expect(run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+|Unhandled|TypeError|ReferenceError/);
  expect(run.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

/** With --json a failure is exactly one JSON error object on stdout. */
function expectJsonError(run: CliRun): void {
  if (run.code === 0) return;
  const { error } = run.json<{ error: { code: string; message: string } }>();
  expect(error.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
  expect(error.message.length).toBeGreaterThan(0);
  expect(run.stderr).toMatch(/^taxgate: .+|error: .+/m);
}

for (const kind of TEST_DATABASES) {
  describe(`the taxgate command under random input on ${kind}`, () => {
    let t: TestEnv;
    let officialId: string;
    const cli = (...args: string[]) => runCli(args, t.env, t.dataDir);

    beforeAll(async () => {
      t = await freshTestEnv(kind);
      // Set up in-process, then close: the CLI needs the data folder to itself.
      const tg = await openTaxgate(t.config);
      try {
        await tg.applyAgreement(buildAgreement(), 'test');
        const keys = await buildOfficialKeys();
        ({ id: officialId } = await tg.addOfficial(
          {
            agreement_id: 'ice-2026',
            name: 'Head',
            role: 'agency_head',
            public_jwk: keys.publicJwk,
          },
          'test',
        ));
        await writeFile(join(t.dataDir, 'head.private.jwk'), JSON.stringify(keys.privateJwk));
      } finally {
        await tg.close();
      }
    }, 120_000);
    afterAll(() => t.cleanup());

    it(
      'answers random arguments to every command with a clear error or a result, never a crash',
      { timeout: 600_000 },
      async () => {
        // Every command that returns on its own (not serve or demo), with hostile
        // positional arguments and options.
        const command = fc.constantFrom(
          ['init'],
          ['taxpayers', 'import'],
          ['agreement', 'apply'],
          ['official', 'add'],
          ['batch', 'sign'],
          ['batch', 'submit'],
          ['batch', 'show'],
          ['batch', 'approve'],
          ['batch', 'results'],
          ['batch', 'explain'],
          ['batch', 'review'],
          ['ledger', 'verify'],
          ['ledger', 'root'],
          ['nonsense'],
        );
        const option = fc.oneof(
          hostile,
          fc.constantFrom('--official', '--key', '--out', '--format', '--actor', '--wait', '-h'),
        );
        await fc.assert(
          fc.asyncProperty(command, fc.array(option, { maxLength: 4 }), async (cmd, args) => {
            // Nothing may be written outside the test folder: paths stay relative to it.
            const safe = args.map((a) => (a.startsWith('/') ? `.${a}` : a));
            const run = await cli(...cmd, ...safe, '--json');
            expectNoCrash(run);
            if (!safe.includes('-h')) expectJsonError(run);
          }),
          { numRuns: 20 },
        );
      },
    );

    it(
      'signs and submits random batch files: every item of an accepted batch gets one outcome',
      { timeout: 600_000 },
      async () => {
        const field = fc.constantFrom(
          'request_id',
          'first_name',
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
        );
        const value = fc.oneof(
          hostile,
          fc.integer(),
          fc.constant(null),
          fc.array(hostile, { maxLength: 2 }),
        );
        const mangled = fc
          .array(fc.record({ field, value }, { noNullPrototype: true }), { maxLength: 3 })
          .map((changes) => buildItem(Object.fromEntries(changes.map((c) => [c.field, c.value]))));
        let n = 0;
        await fc.assert(
          fc.asyncProperty(fc.array(mangled, { minLength: 1, maxLength: 6 }), async (items) => {
            n++;
            const lawful = buildItem({
              request_id: `lawful-${n}`,
              first_name: 'Zelda',
              street: `${n} Lawful Way`,
              removal_order_date: addDays(today(), -200),
            });
            const file = join(t.dataDir, `fuzz-${n}.json`);
            const jws = join(t.dataDir, `fuzz-${n}.jws`);
            // Request ids made unique per batch, or each would be refused as a repeat.
            const all = [...items.map((i, k) => ({ ...i, request_id: `${n}-${k}` })), lawful];
            await writeFile(file, JSON.stringify({ agreement_id: 'ice-2026', items: all }));
            const signed = await cli(
              'batch',
              'sign',
              file,
              '--official',
              officialId,
              '--key',
              join(t.dataDir, 'head.private.jwk'),
              '--out',
              jws,
              '--json',
            );
            expectNoCrash(signed);
            expect(signed.code).toBe(0);

            const submitted = await cli('batch', 'submit', jws, '--wait', '--json');
            expectNoCrash(submitted);
            expect(submitted.code).toBe(0);
            const { batch_id } = submitted.json<{ batch_id: string }>();
            const shown = await cli('batch', 'show', batch_id, '--json');
            expect(shown.code).toBe(0);
            const view = shown.json<{
              items: { request_id: string | null; outcome: string | null }[];
            }>();
            expect(view.items).toHaveLength(all.length);
            for (const i of view.items) expect(i.outcome).not.toBeNull();
            // The lawful item is not dragged down by the others (nobody in the store).
            expect(view.items[view.items.length - 1]).toMatchObject({
              request_id: lawful.request_id,
              outcome: 'NOT_CONFIRMED',
            });
          }),
          { numRuns: 6 },
        );
      },
    );

    it(
      'refuses files that are not batches with ENVELOPE_INVALID or a submission code',
      { timeout: 300_000 },
      async () => {
        const junk = fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
          fc.constantFrom('['.repeat(5000) + ']'.repeat(5000), '{"items":[1,2,3]}', 'a.b.c', ''),
        );
        let n = 0;
        await fc.assert(
          fc.asyncProperty(junk, async (text) => {
            const file = join(t.dataDir, `junk-${++n}`);
            await writeFile(file, text);
            const signed = await cli(
              'batch',
              'sign',
              file,
              '--official',
              officialId,
              '--key',
              join(t.dataDir, 'head.private.jwk'),
              '--out',
              `${file}.jws`,
              '--agreement',
              'ice-2026',
              '--json',
            );
            expectNoCrash(signed);
            expectJsonError(signed);
            const submitted = await cli('batch', 'submit', file, '--json');
            expectNoCrash(submitted);
            expect(submitted.code).toBe(1);
            expectJsonError(submitted);
          }),
          { numRuns: 6 },
        );
        // An empty official or agreement signs nothing.
        const file = join(t.dataDir, 'empty-ids.json');
        await writeFile(file, JSON.stringify({ agreement_id: 'ice-2026', items: [buildItem()] }));
        const key = join(t.dataDir, 'head.private.jwk');
        for (const args of [
          ['--official', '', '--out', `${file}.jws`],
          ['--official', officialId, '--agreement', ' ', '--out', `${file}.jws`],
        ]) {
          const run = await cli('batch', 'sign', file, '--key', key, ...args, '--json');
          expect(run.code).toBe(1);
          expect(run.json()).toMatchObject({ error: { code: 'ENVELOPE_INVALID' } });
        }
      },
    );
  });
}
