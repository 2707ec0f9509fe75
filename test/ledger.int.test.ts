import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kysely, Migrator, sql, type Migration } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Taxgate } from '../src/app.ts';
import { appendEvents, listEvents, verifyLedger } from '../src/ledger/events.store.ts';
import { decodeLeaf, encodeLeaf } from '../src/ledger/leaf.ts';
import { leafHash, rootOf } from '../src/ledger/merkle.ts';
import { subjectHash } from '../src/ledger/subject.ts';
import { formatRootFile, type SavedRoot } from '../src/ledger/verify.ts';
import * as initial from '../src/storage/migrations/0001-initial.ts';
import * as matchingEngine from '../src/storage/migrations/0002-matching-engine.ts';
import * as itemsAsText from '../src/storage/migrations/0003-items-as-text.ts';
import * as ledgerMigration from '../src/storage/migrations/0004-ledger.ts';
import { openDatabase, pgliteDir } from '../src/storage/db.ts';
import type { Database } from '../src/storage/schema.ts';
import {
  addTestOfficial,
  buildAgreement,
  buildItem,
  MARIA_RETURN,
  envelope,
  returnsCsv,
  signEnvelope,
} from './support/builders.ts';
import { runCli } from './support/cli.ts';
import {
  freshTestEnv,
  openTestTaxgate,
  TEST_DATABASES,
  type TestEnv,
} from './support/databases.ts';

/** A real run through the Taxgate API: every kind of event the log holds today. */
async function realRun(tg: Taxgate): Promise<string> {
  await tg.applyAgreement(buildAgreement(), 'operator:test');
  const { id: officialId, keys } = await addTestOfficial(tg, 'ice-2026', 'operator:test');
  await tg.importTaxpayers(returnsCsv([MARIA_RETURN]), { actor: 'operator:test' });
  const jws = await signEnvelope(
    envelope('ice-2026', officialId, [
      buildItem({ request_id: 'hit' }),
      buildItem({ request_id: 'miss', zip: '12345' }),
      buildItem({ request_id: 'bad', street: 'Unknown Address' }),
    ]),
    keys.privateKey,
  );
  const { batch_id } = await tg.submitBatch(Buffer.from(jws));
  expect(await tg.drainQueue()).toBe(1);
  await tg.approve(batch_id, 'operator:test');
  await tg.results(batch_id, 'operator:test');
  return batch_id;
}

/** Runs SQL as a superuser (or the tables' owner) would: with the ledger's triggers off. */
async function tamper(db: Kysely<Database>, ...statements: string[]): Promise<void> {
  await sql`alter table events disable trigger user`.execute(db);
  try {
    for (const s of statements) await sql.raw(s).execute(db);
  } finally {
    await sql`alter table events enable trigger user`.execute(db);
  }
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

for (const kind of TEST_DATABASES) {
  describe(`the ledger on ${kind}`, () => {
    let tg: Taxgate;
    let env: TestEnv;
    let done: () => Promise<void>;
    let size: number;

    beforeEach(async () => {
      ({ tg, env, done } = await openTestTaxgate(kind));
      await realRun(tg);
      size = (await listEvents(tg.db)).length;
    });
    afterEach(() => done());

    it('holds every event as an entry: indexes 0…n-1, canonical leaves, one root', async () => {
      const rows = await tg.db
        .selectFrom('events')
        .select(['leaf_index', 'leaf', 'leaf_hash', 'type', 'payload'])
        .orderBy('leaf_index')
        .execute();
      expect(rows.map((r) => Number(r.leaf_index))).toEqual(rows.map((_, i) => i));
      const hashes = rows.map((r) => {
        const leaf = new Uint8Array(r.leaf);
        expect(Buffer.from(r.leaf_hash)).toEqual(Buffer.from(leafHash(leaf)));
        const decoded = decodeLeaf(leaf);
        expect(decoded).toMatchObject({ ok: true, fields: { type: r.type, payload: r.payload } });
        return leafHash(leaf);
      });
      const types = rows.map((r) => r.type);
      expect(types).toEqual(
        expect.arrayContaining([
          'agreement.applied',
          'official.added',
          'taxpayers.returns_loaded',
          'batch.received',
          'items.rejected',
          'items.matched',
          'batch.approved',
          'batch.released',
          'results.downloaded',
        ]),
      );
      // No taxpayer or request data in the clear.
      const all = rows.map((r) => Buffer.from(r.leaf).toString('utf8')).join('\n');
      expect(all).not.toMatch(/000000001|Garcia|Maria|Main|77001|Houston|A123456789/i);

      const v = await tg.verifyLedger({ pageSize: 4 });
      expect(v).toEqual({ ok: true, entries: rows.length, root: rootOf(hashes) });
    });

    it('refuses to update, delete, truncate, or insert out of order, for the application', async () => {
      const refused = /append-only|refused|not SHA-256/;
      await expect(sql`update events set actor = 'x'`.execute(tg.db)).rejects.toThrow(refused);
      await expect(sql`delete from events where leaf_index = 0`.execute(tg.db)).rejects.toThrow(
        refused,
      );
      await expect(sql`truncate events`.execute(tg.db)).rejects.toThrow(refused);
      const insert = (index: number, hash: Uint8Array) =>
        sql`insert into events (type, actor, payload, leaf_index, leaf, leaf_hash)
          values ('x', 'y', '{}', ${String(index)}, ${Buffer.from('{}')}, ${Buffer.from(hash)})`.execute(
          tg.db,
        );
      await expect(insert(size + 1, leafHash(Buffer.from('{}')))).rejects.toThrow(
        `leaf_index ${size + 1} refused, the next entry of the log is ${size}`,
      );
      await expect(insert(size - 1, leafHash(Buffer.from('{}')))).rejects.toThrow(refused);
      await expect(insert(size, leafHash(Buffer.from('{ }')))).rejects.toThrow(
        `leaf_hash of entry ${size} is not SHA-256`,
      );
      expect((await tg.verifyLedger()).ok).toBe(true);
    });

    it('fails closed: an event that cannot be written undoes the change, leaving no gap', async () => {
      await expect(
        tg.db.transaction().execute(async (trx) => {
          await appendEvents(trx, [{ type: 'probe.ok', actor: 'test' }]);
          await appendEvents(trx, [
            { type: 'probe.bad', actor: 'test', payload: { when: new Date() as never } },
          ]);
        }),
      ).rejects.toThrow(/only plain objects are JSON/);
      await appendEvents(tg.db, [{ type: 'probe.after', actor: 'test' }]);
      const events = await listEvents(tg.db);
      expect(events.map((e) => e.type).slice(-1)).toEqual(['probe.after']);
      expect(events.at(-1)?.leaf_index).toBe(size);
      expect(await tg.verifyLedger()).toMatchObject({ ok: true, entries: size + 1 });
    });

    it('keeps indexes gapless under concurrent appends, some rolled back', async () => {
      const attempts = Array.from({ length: 24 }, (_, i) =>
        tg.db
          .transaction()
          .execute(async (trx) => {
            await appendEvents(trx, [
              { type: 'probe.concurrent', actor: 'test', payload: { i } },
              { type: 'probe.concurrent', actor: 'test', payload: { i, second: true } },
            ]);
            await sql`select pg_sleep(0.01)`.execute(trx);
            if (i % 3 === 0) throw new Error('rolled back');
          })
          .then(
            () => true,
            () => false,
          ),
      );
      const committed = (await Promise.all(attempts)).filter(Boolean).length;
      expect(committed).toBe(16);
      const events = await listEvents(tg.db);
      expect(events.map((e) => e.leaf_index)).toEqual(events.map((_, i) => i));
      expect(await tg.verifyLedger({ pageSize: 7 })).toMatchObject({
        ok: true,
        entries: size + 2 * committed,
      });
      // Each transaction's two entries are adjacent: indexes follow commit order.
      const mine = events.filter((e) => e.type === 'probe.concurrent');
      for (let k = 0; k < mine.length; k += 2) {
        expect(mine[k + 1]!.leaf_index).toBe(mine[k]!.leaf_index + 1);
        expect(mine[k + 1]!.payload).toEqual({ i: mine[k]!.payload.i, second: true });
      }
    });

    it('names the entry whose payload was changed', async () => {
      await tamper(
        tg.db,
        `update events set payload = payload || '{"items": 99}' where leaf_index = 3`,
      );
      expect(await tg.verifyLedger()).toEqual({
        ok: false,
        entries: 3,
        index: 3,
        message: 'ledger entry 3: payload column does not match the leaf',
      });
    });

    it('names a deleted entry, first or in the middle', async () => {
      await tamper(tg.db, 'delete from events where leaf_index = 4');
      expect(await tg.verifyLedger({ pageSize: 2 })).toMatchObject({
        ok: false,
        index: 4,
        message: 'ledger entry 4 is missing: the entry after 3 is 5',
      });
      await tamper(tg.db, 'delete from events where leaf_index = 0');
      expect(await tg.verifyLedger()).toMatchObject({
        ok: false,
        index: 0,
        message: 'ledger entry 0 is missing: the log starts at 1',
      });
    });

    it('names the first of two entries that were swapped', async () => {
      await tamper(
        tg.db,
        'update events set leaf_index = 1000000 where leaf_index = 2',
        'update events set leaf_index = 2 where leaf_index = 5',
        'update events set leaf_index = 5 where leaf_index = 1000000',
      );
      expect(await tg.verifyLedger()).toMatchObject({
        ok: false,
        index: 2,
        message: "ledger entry 2: its leaf is entry 5's: entries were reordered or moved",
      });
    });

    it('names an entry whose leaf bytes were changed, or repeated', async () => {
      await tamper(
        tg.db,
        `update events set leaf = convert_to(replace(convert_from(leaf, 'UTF8'), 'operator:test', 'operator:tess'), 'UTF8') where leaf_index = 1`,
      );
      expect(await tg.verifyLedger()).toMatchObject({
        ok: false,
        index: 1,
        message:
          'ledger entry 1: leaf_hash is not SHA-256(0x00 ‖ leaf): the leaf or its hash was changed',
      });
      // A copy of an entry beside it (the unique index dropped first, as only an owner can).
      await tamper(
        tg.db,
        'drop index events_leaf_index_uq',
        `insert into events (type, actor, batch_id, occurred_at, payload, leaf_index, leaf, leaf_hash)
           select type, actor, batch_id, occurred_at, payload, leaf_index, leaf, leaf_hash
           from events where leaf_index = 0`,
      );
      expect(await tg.verifyLedger()).toMatchObject({
        ok: false,
        index: 0,
        message: 'ledger entry 0 appears more than once',
      });
    });

    it('catches a tail cut off, and a consistent rewrite, only against a saved root', async () => {
      const before = await tg.verifyLedger();
      if (!before.ok) throw new Error(before.message);
      const saved: SavedRoot = { size: before.entries, root: before.root };

      // Rewrite entry 2 completely (leaf, hash and columns agree): only the root shows it.
      const [row] = await tg.db
        .selectFrom('events')
        .select('leaf')
        .where('leaf_index', '=', '2')
        .execute();
      const decoded = decodeLeaf(new Uint8Array(row!.leaf));
      if (!decoded.ok) throw new Error(decoded.problem);
      const forged = encodeLeaf({ ...decoded.fields, actor: 'operator:someone-else' });
      await tamper(
        tg.db,
        `update events set actor = 'operator:someone-else',
           leaf = '\\x${Buffer.from(forged).toString('hex')}',
           leaf_hash = '\\x${Buffer.from(leafHash(forged)).toString('hex')}'
         where leaf_index = 2`,
      );
      expect((await tg.verifyLedger()).ok).toBe(true);
      expect(await tg.verifyLedger({ saved })).toMatchObject({
        ok: false,
        index: null,
        message: expect.stringMatching(
          new RegExp(
            `^the first ${size} entries give root .+, not the saved root ${b64(saved.root).replace(/[+/]/g, '\\$&')}: an entry below index ${size} was changed`,
          ),
        ),
      });
      await tamper(tg.db, `delete from events where leaf_index >= ${size - 2}`);
      // Alone, a shorter log is still a valid log…
      expect(await tg.verifyLedger()).toMatchObject({ ok: true, entries: size - 2 });
      // …but not the one whose root was saved.
      expect(await tg.verifyLedger({ saved })).toEqual({
        ok: false,
        entries: size - 2,
        index: size - 2,
        message: `ledger entry ${size - 2} is missing: the saved root covers ${size} entries and the log has ${size - 2} (it was cut short)`,
      });
    });

    it('keys subject hashes with the data folder key', async () => {
      const h = tg.subjectHash('tin:000000001');
      expect(h).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(tg.subjectHash('tin:000000001')).toBe(h);
      expect(tg.subjectHash('tin:000000002')).not.toBe(h);
      expect(h).not.toBe(subjectHash(new Uint8Array(32), 'tin:000000001'));
    });

    it(
      'taxgate ledger root / verify: saved root, exit 1 naming the entry',
      { timeout: 120_000 },
      async () => {
        await tg.close();
        done = () => env.cleanup(); // closed here: the CLI needs the data folder
        const cli = (...args: string[]) => runCli(args, env.env, env.dataDir);
        const rootFile = join(env.dataDir, 'root.json');
        const saved = await cli('ledger', 'root', '--out', rootFile, '--json');
        expect(saved.code).toBe(0);
        const { root } = saved.json<{ entries: number; root: string }>();
        expect(saved.json()).toEqual({ entries: size, root, out: rootFile });
        expect((await cli('ledger', 'root', '--out', rootFile)).code).toBe(1); // no overwrite

        const ok = await cli('ledger', 'verify', '--checkpoint', rootFile, '--json');
        expect(ok.code).toBe(0);
        expect(ok.json()).toEqual({
          entries: size,
          root,
          checkpoint: { size, root, signed: false },
          // realRun's results download signed a checkpoint of the whole log.
          stored_checkpoints: { count: 1, signatures: 'verified' },
          accounting: { pages: 1, releases: 1 },
        });
        const human = await cli('ledger', 'verify');
        expect(human.stdout).toContain(`ledger verified: ${size} entries`);

        const badFile = join(env.dataDir, 'bad-root.json');
        await writeFile(badFile, formatRootFile({ size: 1, root: new Uint8Array(32) }));
        const against = await cli('ledger', 'verify', '--checkpoint', badFile, '--json');
        expect(against.code).toBe(1);
        expect(against.json()).toMatchObject({ error: { code: 'LEDGER_INVALID' } });
        await writeFile(badFile, '{"size": 1}');
        expect((await cli('ledger', 'verify', '--checkpoint', badFile, '--json')).json()).toEqual({
          error: {
            code: 'LEDGER_ROOT_FILE_INVALID',
            message: `${badFile} is not a saved ledger root: root is not 32 bytes of base64`,
          },
        });

        const opened = await openDatabase(
          env.config.databaseUrl
            ? { kind: 'postgres', url: env.config.databaseUrl }
            : { kind: 'pglite', dir: pgliteDir(env.dataDir) },
        );
        try {
          await tamper(opened.db, `delete from events where leaf_index = ${size - 1}`);
        } finally {
          await opened.close();
        }
        // A shorter log is a log, but the stored signed checkpoint remembers the longer one.
        expect((await cli('ledger', 'verify', '--json')).json()).toMatchObject({
          error: {
            code: 'LEDGER_INVALID',
            message: `ledger entry ${size - 1} is missing: the root of the stored checkpoint of size ${size} covers ${size} entries and the log has ${size - 1} (it was cut short)`,
          },
        });
        const cut = await cli('ledger', 'verify', '--checkpoint', rootFile, '--json');
        expect(cut.code).toBe(1);
        expect(cut.json()).toEqual({
          error: {
            code: 'LEDGER_INVALID',
            message: `ledger entry ${size - 1} is missing: the saved root covers ${size} entries and the log has ${size - 1} (it was cut short)`,
            details: { index: size - 1, entries_verified: size - 1 },
          },
        });
        expect(cut.stderr).toContain(`ledger entry ${size - 1} is missing`);
      },
    );
  });

  describe(`migration 0004 on ${kind}`, () => {
    it('gives the events recorded before it leaves, in the order they were written', async () => {
      const env = await freshTestEnv(kind);
      const opened = await openDatabase(
        env.config.databaseUrl
          ? { kind: 'postgres', url: env.config.databaseUrl }
          : { kind: 'pglite', dir: pgliteDir(env.dataDir) },
      );
      try {
        const migrator = (migrations: Record<string, Migration>) =>
          new Migrator({
            db: opened.db,
            provider: { getMigrations: async () => migrations },
            migrationTableName: 'schema_migrations',
            migrationLockTableName: 'schema_migrations_lock',
          });
        const before = {
          '0001-initial': initial,
          '0002-matching-engine': matchingEngine,
          '0003-items-as-text': itemsAsText,
        };
        expect((await migrator(before).migrateToLatest()).error).toBeUndefined();
        // Events as the walking skeleton wrote them: microsecond times, jsonb payloads.
        for (let i = 0; i < 5; i++) {
          await sql`insert into events (type, actor, batch_id, payload)
            values (${`legacy.${i}`}, 'operator:old', ${i % 2 ? 'bat_x' : null},
                    ${JSON.stringify({ n: i, z: 1.5, a: [true, null] })}::jsonb)`.execute(
            opened.db,
          );
        }
        const all = { ...before, '0004-ledger': ledgerMigration };
        expect((await migrator(all).migrateToLatest()).error).toBeUndefined();

        const rows = await listEvents(opened.db);
        expect(rows.map((r) => [r.leaf_index, r.type])).toEqual(
          [0, 1, 2, 3, 4].map((i) => [i, `legacy.${i}`]),
        );
        expect(await verifyLedger(opened.db, { pageSize: 2 })).toMatchObject({
          ok: true,
          entries: 5,
        });
        await appendEvents(opened.db, [{ type: 'after.migration', actor: 'test' }]);
        expect(await verifyLedger(opened.db)).toMatchObject({ ok: true, entries: 6 });
      } finally {
        await opened.close();
        await env.cleanup();
      }
    });
  });
}
