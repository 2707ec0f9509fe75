import { generateKeyPairSync } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTaxgate, type Taxgate } from '../src/app.ts';
import {
  formatCheckpoint,
  parseVerifierKey,
  signNote,
  verifyNote,
} from '../src/ledger/checkpoint.ts';
import { listCheckpoints } from '../src/ledger/checkpoints.store.ts';
import { appendEvents } from '../src/ledger/events.store.ts';
import { leafHash, rootOf, verifyConsistency } from '../src/ledger/merkle.ts';
import { ensureLedgerSigner } from '../src/ledger/ledger-key.ts';
import { LedgerLog, startCheckpointTimer } from '../src/ledger/publisher.ts';
import { openDatabase, pgliteDir } from '../src/storage/db.ts';
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

    it('lets two servers with the same key sign while events arrive, without a fork', async () => {
      const { signer, vkey } = await ensureLedgerSigner(env.dataDir, 'taxgate.test.gov/ledger');
      const other = new LedgerLog(tg.db, { signer, vkey }); // a second server's publisher
      for (let i = 0; i < 8; i++) {
        await appendEvents(tg.db, probes(1 + (i % 3), `r${i}`));
        // Both sign at once while a third party appends.
        await Promise.all([
          tg.ledger.publish(),
          other.publish(),
          appendEvents(tg.db, probes(1, `s${i}`)),
        ]);
      }
      await other.publish();
      const all = await listCheckpoints(tg.db);
      expect(all.length).toBeGreaterThan(1);
      for (let i = 1; i < all.length; i++) {
        const [a, b] = [all[i - 1]!, all[i]!];
        expect(b.size).toBeGreaterThan(a.size);
        const { proof } = await tg.ledger.consistency(a.size, b.size);
        expect(verifyConsistency(a.size, b.size, proof, a.rootHash, b.rootHash)).toBe(true);
        expect(verifyNote(b.note, [vkey]).ok).toBe(true);
      }
      const total = all.at(-1)!.size;
      expect(Buffer.from(all.at(-1)!.rootHash)).toEqual(
        Buffer.from(await storedRoot(tg.db, total)),
      );
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

    it(
      'taxgate ledger verify --checkpoint: checks a saved signed checkpoint and the stored ones',
      { timeout: 120_000 },
      async () => {
        await appendEvents(tg.db, probes(6));
        const cp = (await tg.ledger.publish())!;
        const vkey = tg.ledger.vkey;
        await tg.close();
        const cliEnv = { ...env.env, TAXGATE_LEDGER_ORIGIN: 'taxgate.test.gov/ledger' };
        const cli = (...args: string[]) => runCli(args, cliEnv, env.dataDir);
        const file = join(env.dataDir, 'checkpoint.txt');
        await writeFile(file, cp.note);

        const ok = await cli('ledger', 'verify', '--checkpoint', file, '--json');
        expect(ok.code, ok.stderr).toBe(0);
        expect(ok.json()).toMatchObject({
          entries: 6,
          checkpoint: { size: 6, signed: true },
          stored_checkpoints: { count: 1, signatures: 'verified' },
        });

        // A checkpoint the ledger key did not sign is refused, whatever it says.
        const bad = join(env.dataDir, 'forged.txt');
        await writeFile(bad, cp.note.replace('\n6\n', '\n5\n'));
        expect((await cli('ledger', 'verify', '--checkpoint', bad, '--json')).json()).toMatchObject(
          { error: { code: 'LEDGER_CHECKPOINT_INVALID' } },
        );
        // An outsider with only the database and the verifier key.
        await rm(join(env.dataDir, 'keys'), { recursive: true });
        expect(
          (await cli('ledger', 'verify', '--checkpoint', file, '--json')).json(),
        ).toMatchObject({ error: { code: 'LEDGER_KEY_MISSING' } });
        const withKey = await cli(
          'ledger',
          'verify',
          '--checkpoint',
          file,
          '--key',
          vkey,
          '--json',
        );
        expect(withKey.code, withKey.stderr).toBe(0);

        // A superuser cuts the log and removes the stored checkpoint that remembers it:
        // the log alone looks fine, the saved checkpoint does not.
        const opened = await openDatabase(
          env.config.databaseUrl
            ? { kind: 'postgres', url: env.config.databaseUrl }
            : { kind: 'pglite', dir: pgliteDir(env.dataDir) },
        );
        try {
          await sql`alter table ledger_checkpoints disable trigger user`.execute(opened.db);
          await sql`delete from ledger_checkpoints`.execute(opened.db);
          await tamper(opened.db, 'delete from events where leaf_index >= 4');
        } finally {
          await opened.close();
        }
        expect((await cli('ledger', 'verify', '--key', vkey, '--json')).code).toBe(0);
        const cut = await cli('ledger', 'verify', '--checkpoint', file, '--key', vkey, '--json');
        expect(cut.code).toBe(1);
        expect(cut.json()).toEqual({
          error: {
            code: 'LEDGER_INVALID',
            message:
              'ledger entry 4 is missing: the root of the saved checkpoint covers 6 entries and the log has 4 (it was cut short)',
            details: { index: 4, entries_verified: 4 },
          },
        });
        // Reopened for afterEach.
        tg = await openTaxgate({ ...env.config, ledgerOrigin: 'taxgate.test.gov/ledger' });
      },
    );

    it('taxgate ledger verify names a stored checkpoint the ledger key did not sign', async () => {
      await appendEvents(tg.db, probes(3));
      const cp = (await tg.ledger.publish())!;
      const forged = signNote(
        formatCheckpoint({ origin: 'taxgate.test.gov/ledger', size: 3, rootHash: cp.rootHash }),
        { name: 'taxgate.test.gov/ledger', privateKey: generateKeyPairSync('ed25519').privateKey },
      );
      await sql`insert into ledger_checkpoints (tree_size, root_hash, note)
        values ('2', ${cp.rootHash}, ${forged})`.execute(tg.db);
      await tg.close();
      const run = await runCli(['ledger', 'verify', '--json'], {
        ...env.env,
        TAXGATE_LEDGER_ORIGIN: 'taxgate.test.gov/ledger',
      });
      expect(run.json()).toMatchObject({
        error: {
          code: 'LEDGER_INVALID',
          message:
            'the stored checkpoint of size 2 does not verify with the ledger key: note is not signed by a known key',
        },
      });
      tg = await openTaxgate({ ...env.config, ledgerOrigin: 'taxgate.test.gov/ledger' });
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
