import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTaxgate } from '../src/app.ts';
import { DataFolderBusyError } from '../src/errors.ts';
import { findAgreement } from '../src/policy/agreements.store.ts';
import { lockDataFolder } from '../src/storage/data-folder.ts';
import {
  buildAgreement,
  buildItem,
  buildOfficialKeys,
  envelope,
  signEnvelope,
} from './support/builders.ts';
import { runCli, TAXGATE_BIN } from './support/cli.ts';
import { freshTestEnv, type TestEnv } from './support/databases.ts';

// PGlite keeps the database in one process's memory (DESIGN.md §Storage), so
// these tests are about the embedded database whatever the run's DATABASE_URL.
describe('one process per PGlite data folder', () => {
  let t: TestEnv;
  let server: ChildProcess;
  let url: string;

  beforeAll(async () => {
    t = await freshTestEnv('pglite');
    server = spawn(process.execPath, [TAXGATE_BIN, 'serve', '--port', '0', '--json'], {
      env: t.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    server.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 600 && !out.includes('\n'); i++)
      await new Promise((r) => setTimeout(r, 100));
    url = JSON.parse(out.split('\n')[0]!).url;
  });
  afterAll(async () => {
    if (server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
    await t.cleanup();
  });

  it('refuses a second opener in the same process', async () => {
    const other = await freshTestEnv('pglite');
    const lock = await lockDataFolder(other.dataDir);
    await expect(lockDataFolder(other.dataDir)).rejects.toBeInstanceOf(DataFolderBusyError);
    await lock.release();
    await other.cleanup();
  });

  it(
    'sends CLI writes through the running server, and loses none of them',
    { timeout: 180_000 },
    async () => {
      const cli = (...args: string[]) => runCli(args, t.env);
      const agreementFile = join(t.dataDir, 'a.json');
      await writeFile(agreementFile, JSON.stringify(buildAgreement()));
      const keys = await buildOfficialKeys();
      await writeFile(join(t.dataDir, 'k.public.jwk'), JSON.stringify(keys.publicJwk));

      const applied = await cli('agreement', 'apply', agreementFile, '--json');
      expect(applied.code).toBe(0);
      expect(applied.json()).toEqual({ id: 'ice-2026', version: 1, changed: true });
      const official = (
        await cli(
          'official',
          'add',
          '--agreement',
          'ice-2026',
          '--name',
          'N',
          '--role',
          'agency_head',
          '--public-key',
          join(t.dataDir, 'k.public.jwk'),
          '--json',
        )
      ).json<{ id: string }>();

      // The server writes too, at the same time as another CLI write.
      const jws = await signEnvelope(
        envelope('ice-2026', official.id, [buildItem()]),
        keys.privateKey,
      );
      const second = join(t.dataDir, 'b.json');
      await writeFile(second, JSON.stringify(buildAgreement({ id: 'second' })));
      const [posted, cliWrite] = await Promise.all([
        fetch(`${url}/v1/batches`, {
          method: 'POST',
          headers: {
            'content-type': 'application/jose',
            authorization: `Bearer ${(await readFile(join(t.dataDir, 'operator.token'), 'utf8')).trim()}`,
          },
          body: jws,
        }),
        cli('agreement', 'apply', second, '--json'),
      ]);
      expect(posted.status).toBe(202);
      const { batch_id } = (await posted.json()) as { batch_id: string };
      expect(cliWrite.code).toBe(0);

      const busy = await cli('taxpayers', 'import', agreementFile, '--json');
      expect(busy.code).toBe(1);
      expect(busy.json()).toMatchObject({
        error: { code: 'DATA_FOLDER_BUSY', details: { server_url: url } },
      });
      const twice = await runCli(['serve', '--port', '0'], t.env);
      expect(twice.code).toBe(1);
      expect(twice.stderr).toContain(`in use by the taxgate server at ${url}`);

      server.kill('SIGTERM');
      await once(server, 'exit');
      const tg = await openTaxgate(t.config);
      try {
        expect(await findAgreement(tg.db, 'ice-2026')).toMatchObject({ version: 1 });
        expect(await findAgreement(tg.db, 'second')).toMatchObject({ version: 1 });
        expect((await tg.batchStatus(batch_id)).item_count).toBe(1);
        const officials = await tg.db.selectFrom('officials').select('id').execute();
        expect(officials.map((o) => o.id)).toEqual([official.id]);
      } finally {
        await tg.close();
      }
    },
  );
});
