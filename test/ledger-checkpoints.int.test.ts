import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTaxgate, type Taxgate } from '../src/app.ts';
import { parseVerifierKey, verifyNote } from '../src/ledger/checkpoint.ts';
import { listCheckpoints } from '../src/ledger/checkpoints.store.ts';
import { appendEvents } from '../src/ledger/events.store.ts';
import { leafHash, rootOf, verifyConsistency } from '../src/ledger/merkle.ts';
import { startCheckpointTimer } from '../src/ledger/publisher.ts';
import type { Database } from '../src/storage/schema.ts';
import { runCli } from './support/cli.ts';
import { freshTestEnv, TEST_DATABASES, type TestEnv } from './support/databases.ts';

const probes = (n: number, tag = 'p') =>
  Array.from({ length: n }, (_, i) => ({ type: 'probe', actor: 'test', payload: { tag, i } }));

async function storedRoot(db: Kysely<Database>, size: number): Promise<Uint8Array> {
  const rows = await db
    .selectFrom('events')
    .select('leaf')
    .where('leaf_index', '<', String(size))
    .orderBy('leaf_index')
    .execute();
  return rootOf(rows.map((r) => leafHash(new Uint8Array(r.leaf))));
}

async function tamper(db: Kysely<Database>, statement: string): Promise<void> {
  await sql`alter table events disable trigger user`.execute(db);
  try {
    await sql.raw(statement).execute(db);
  } finally {
    await sql`alter table events enable trigger user`.execute(db);
  }
}

for (const kind of TEST_DATABASES) {
  describe(`signed checkpoints on ${kind}`, () => {
    let env: TestEnv;
    let tg: Taxgate;

    beforeEach(async () => {
      env = await freshTestEnv(kind);
      tg = await openTaxgate({ ...env.config, ledgerOrigin: 'taxgate.test.gov/ledger' });
    });
    afterEach(async () => {
      await tg.close();
      await env.cleanup();
    });

    it('signs a C2SP checkpoint of the committed log with the ledger key, once per size', async () => {
      expect(await tg.ledger.publish()).toBeNull(); // an empty log has nothing to commit to
      await appendEvents(tg.db, probes(5));
      const cp = await tg.ledger.publish();
      expect(cp?.size).toBe(5);
      const v = verifyNote(cp!.note, [tg.ledger.vkey], { origin: 'taxgate.test.gov/ledger' });
      expect(v.ok).toBe(true);
      if (!v.ok) return;
      expect(v.checkpoint.size).toBe(5);
      expect(Buffer.from(v.checkpoint.rootHash)).toEqual(Buffer.from(await storedRoot(tg.db, 5)));
      expect(cp!.note).toMatch(
        /^taxgate\.test\.gov\/ledger\n5\n[A-Za-z0-9+/]{43}=\n\n— taxgate\.test\.gov\/ledger /,
      );

      // Nothing new: nothing signed.
      expect((await tg.ledger.publish())?.size).toBe(5);
      await appendEvents(tg.db, probes(4));
      const next = await tg.ledger.publish();
      expect(next?.size).toBe(9);
      const all = await listCheckpoints(tg.db);
      expect(all.map((c) => c.size)).toEqual([5, 9]);
      const { proof } = await tg.ledger.consistency(5, 9);
      expect(verifyConsistency(5, 9, proof, all[0]!.rootHash, all[1]!.rootHash)).toBe(true);
    });

    it('uses its own key: not the result key, and named by the configured origin', async () => {
      const key = parseVerifierKey(tg.ledger.vkey);
      expect(typeof key).toBe('object');
      if (typeof key === 'string') return;
      expect(key.name).toBe('taxgate.test.gov/ledger');
      const raw = key.publicKey.export({ format: 'jwk' }).x;
      expect(raw).not.toBe(tg.resultPublicJwk.x);
    });

    it('refuses to sign when the log no longer extends the latest checkpoint', async () => {
      await appendEvents(tg.db, probes(6));
      await tg.ledger.publish();
      await tg.close();
      // A rewritten entry below the checkpoint, seen by a freshly started process.
      tg = await openTaxgate({ ...env.config, ledgerOrigin: 'taxgate.test.gov/ledger' });
      await tamper(
        tg.db,
        `update events set leaf = convert_to(replace(convert_from(leaf, 'UTF8'), '"i":2', '"i":7'), 'UTF8') where leaf_index = 2`,
      );
      await appendEvents(tg.db, probes(2, 'after'));
      await expect(tg.ledger.publish()).rejects.toMatchObject({
        code: 'LEDGER_INCONSISTENT',
        message: expect.stringMatching(/does not extend the signed checkpoint of size 6/),
      });
      expect((await listCheckpoints(tg.db)).map((c) => c.size)).toEqual([6]);
    });

    it('refuses when the log was cut below the latest checkpoint', async () => {
      await appendEvents(tg.db, probes(6));
      await tg.ledger.publish();
      await tg.close();
      tg = await openTaxgate({ ...env.config, ledgerOrigin: 'taxgate.test.gov/ledger' });
      await tamper(tg.db, 'delete from events where leaf_index >= 4');
      await expect(tg.ledger.publish()).rejects.toMatchObject({
        code: 'LEDGER_INCONSISTENT',
        message: expect.stringMatching(/the log has 4 entries but a checkpoint of 6 was signed/),
      });
    });

    it('refuses when the latest stored checkpoint is not signed by the ledger key', async () => {
      await appendEvents(tg.db, probes(3));
      const cp = (await tg.ledger.publish())!;
      await appendEvents(tg.db, probes(3));
      // Someone stores a checkpoint of the right size and root, but signs it with another key.
      const forged = cp.note.replace(/ [A-Za-z0-9+/=]+\n$/, ' AAAAAA' + 'A'.repeat(86) + '==\n');
      await sql`insert into ledger_checkpoints (tree_size, root_hash, note)
        values (${String(cp.size + 1)}, ${await storedRoot(tg.db, cp.size + 1)}, ${forged.replace(`\n${cp.size}\n`, `\n${cp.size + 1}\n`)})`.execute(
        tg.db,
      );
      await expect(tg.ledger.publish()).rejects.toMatchObject({ code: 'LEDGER_INCONSISTENT' });
      expect((await listCheckpoints(tg.db)).map((c) => c.size)).toEqual([3, 4]);
    });

    it('keeps checkpoints append-only in the database', async () => {
      await appendEvents(tg.db, probes(2));
      await tg.ledger.publish();
      await expect(sql`update ledger_checkpoints set note = 'x'`.execute(tg.db)).rejects.toThrow(
        /append-only/,
      );
      await expect(sql`delete from ledger_checkpoints`.execute(tg.db)).rejects.toThrow(
        /append-only/,
      );
    });

    it('publishes on a timer while events arrive', async () => {
      const errors: unknown[] = [];
      const timer = startCheckpointTimer(tg.ledger, 50, (e) => errors.push(e));
      try {
        await appendEvents(tg.db, probes(3));
        await expect
          .poll(async () => (await listCheckpoints(tg.db)).at(-1)?.size, { timeout: 5000 })
          .toBe(3);
        await appendEvents(tg.db, probes(2));
        await expect
          .poll(async () => (await listCheckpoints(tg.db)).at(-1)?.size, { timeout: 5000 })
          .toBe(5);
      } finally {
        await timer.stop();
      }
      expect(errors).toEqual([]);
    });

    it('prints the verifier key with `taxgate ledger key`', async () => {
      const run = await runCli(['ledger', 'key', '--json'], {
        ...env.env,
        TAXGATE_LEDGER_ORIGIN: 'taxgate.test.gov/ledger',
      });
      expect(run.code).toBe(0);
      expect(run.json()).toEqual({ origin: 'taxgate.test.gov/ledger', vkey: tg.ledger.vkey });
    });
  });
}
