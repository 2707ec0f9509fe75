import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compactVerify, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgreement, buildItem } from './support/builders.ts';
import { runCli } from './support/cli.ts';
import { freshTestEnv, TEST_DATABASES, type TestEnv } from './support/databases.ts';

for (const kind of TEST_DATABASES) {
  describe(`the taxgate CLI contract on ${kind}`, () => {
    let t: TestEnv;
    const cli = (...args: string[]) => runCli(args, t.env, t.dataDir);
    beforeAll(async () => {
      t = await freshTestEnv(kind);
    });
    afterAll(() => t.cleanup());

    it(
      'runs import → agreement → official → sign → submit → show → approve → results',
      { timeout: 240_000 },
      async () => {
        const dir = t.dataDir;
        const init = await cli('init', '--json');
        expect(init.code).toBe(0);
        expect(init.json()).toMatchObject({
          initialised: true,
          database: kind,
          ledger_vkey: expect.stringMatching(/^taxgate\.localhost\/ledger\+[0-9a-f]{8}\+/),
        });
        expect((await cli('init', '--json')).code).toBe(0); // idempotent

        const csv = join(dir, 'returns.csv');
        await writeFile(
          csv,
          [
            'tin,tax_year,first_name,middle_name,last_name,street,unit,city,state,zip,dob',
            '000000101,2024,Rosa,,Flores,44 Pine Ave,,Phoenix,AZ,85001,1975-05-05',
            '000000102,2024,Luis,,Flores,44 Pine Ave,,Phoenix,AZ,85001,',
            'not-a-tin,2024,X,,Y,1 A St,,Phoenix,AZ,85001,',
            '000000103,2024,Ana,,Ruiz,9 Oak St,Apt 2,Denver,CO,80202,',
          ].join('\n') + '\n',
        );
        const imported = await cli('taxpayers', 'import', csv, '--json');
        expect(imported.code).toBe(1); // one bad row: reported, the others loaded
        expect(imported.json()).toMatchObject({
          rows: 4,
          inserted: 3,
          rejected: 1,
          problems: [{ line: 4, reason: 'tin must be 9 digits (dashes allowed)' }],
        });
        const again = await cli('taxpayers', 'import', csv, '--json');
        expect(again.json()).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });

        const keys = await cli('keys', 'generate', '--out', join(dir, 'head'), '--json');
        expect(keys.code).toBe(0);
        expect((await cli('keys', 'generate', '--out', join(dir, 'head'))).code).toBe(1); // refuses to overwrite

        const agreementFile = join(dir, 'agreement.json');
        await writeFile(agreementFile, JSON.stringify(buildAgreement()));
        expect((await cli('agreement', 'apply', agreementFile, '--json')).json()).toEqual({
          id: 'ice-2026',
          version: 1,
          changed: true,
        });
        expect((await cli('agreement', 'apply', agreementFile, '--json')).json()).toEqual({
          id: 'ice-2026',
          version: 1,
          changed: false,
        });

        const official = await cli(
          'official',
          'add',
          '--agreement',
          'ice-2026',
          '--name',
          'A. Head',
          '--role',
          'agency_head',
          '--public-key',
          join(dir, 'head.public.jwk'),
          '--json',
        );
        expect(official.code).toBe(0);
        const { id: officialId } = official.json<{ id: string }>();
        expect(officialId).toMatch(/^off_/);

        const batchFile = join(dir, 'batch.json');
        await writeFile(
          batchFile,
          JSON.stringify({
            agreement_id: 'ice-2026',
            items: [
              buildItem({
                request_id: 'rosa',
                first_name: 'Rosa',
                last_name: 'Flores',
                street: '44 Pine Avenue',
                city: 'Phoenix',
                state: 'AZ',
                zip: '85001',
              }),
              buildItem({
                request_id: 'ana-wrong-unit',
                first_name: 'Ana',
                last_name: 'Ruiz',
                street: '9 Oak St',
                unit: 'Apt 3',
                city: 'Denver',
                state: 'CO',
                zip: '80202',
              }),
              buildItem({ request_id: 'ftp', street: 'Failed to Provide' }),
            ],
          }),
        );
        const jwsFile = join(dir, 'batch.jws');
        expect(
          (
            await cli(
              'batch',
              'sign',
              batchFile,
              '--official',
              officialId,
              '--key',
              join(dir, 'head.private.jwk'),
              '--out',
              jwsFile,
            )
          ).code,
        ).toBe(0);

        const submitted = await cli('batch', 'submit', jwsFile, '--wait', '--json');
        expect(submitted.code).toBe(0);
        const { batch_id, state } = submitted.json<{ batch_id: string; state: string }>();
        expect(state).toBe('matched');

        const shown = await cli('batch', 'show', batch_id, '--json');
        expect(shown.json()).toMatchObject({
          batch_id,
          state: 'matched',
          items: [
            { request_id: 'rosa', outcome: 'CONFIRMED', reasons: [] },
            { request_id: 'ana-wrong-unit', outcome: 'NOT_CONFIRMED', reasons: ['UNIT_CONFLICT'] },
            { request_id: 'ftp', outcome: 'REJECTED_INCOMPLETE', reasons: ['ADDRESS_PLACEHOLDER'] },
          ],
        });

        expect((await cli('batch', 'results', batch_id, '--json')).code).toBe(1); // not released yet
        const approved = await cli('batch', 'approve', batch_id, '--json');
        expect(approved.json()).toMatchObject({ batch_id, state: 'released' });

        const results = (await cli('batch', 'results', batch_id, '--json')).json<{
          document: Record<string, unknown>;
          jws: string;
        }>();
        const publicJwk = JSON.parse(
          await readFile(join(dir, 'keys', 'result.public.jwk'), 'utf8'),
        );
        const { payload, protectedHeader } = await compactVerify(
          results.jws,
          await importJWK(publicJwk, 'EdDSA'),
        );
        expect(protectedHeader.kid).toBe(init.json().result_key_id);
        expect(JSON.parse(new TextDecoder().decode(payload))).toEqual(results.document);
        expect(results.document.items).toEqual([
          { request_id: 'rosa', result: 'CONFIRMED', reasons: [] },
          { request_id: 'ana-wrong-unit', result: 'NOT_CONFIRMED', reasons: [] },
          { request_id: 'ftp', result: 'REJECTED_INCOMPLETE', reasons: ['ADDRESS_PLACEHOLDER'] },
        ]);

        const csvOut = await cli('batch', 'results', batch_id, '--format', 'csv');
        expect(csvOut.stdout).toBe(
          'request_id,result,reasons\nrosa,CONFIRMED,\nana-wrong-unit,NOT_CONFIRMED,\nftp,REJECTED_INCOMPLETE,ADDRESS_PLACEHOLDER\n',
        );
      },
    );

    it(
      'says what went wrong, with exit codes 0 ok / 1 failure / 2 usage',
      { timeout: 120_000 },
      async () => {
        const help = await cli('batch', 'submit', '--help');
        expect(help.code).toBe(0);
        expect(help.stdout).toMatch(/--wait/);
        const usage = await cli('batch', 'results', 'x', '--format', 'xml', '--json');
        expect(usage.code).toBe(2);
        expect(usage.json()).toMatchObject({ error: { code: 'USAGE' } });
        expect((await cli('no-such-command')).code).toBe(2);
        const missing = await cli('batch', 'show', 'bat_missing', '--json');
        expect(missing.code).toBe(1);
        expect(missing.json()).toEqual({
          error: { code: 'BATCH_NOT_FOUND', message: 'no batch bat_missing' },
        });
        const badAgreement = join(t.dataDir, 'bad-agreement.json');
        await writeFile(
          badAgreement,
          JSON.stringify({ ...buildAgreement(), max_batch_items: 0, extra: 1 }),
        );
        const bad = await cli('agreement', 'apply', badAgreement);
        expect(bad.code).toBe(1);
        expect(bad.stderr).toMatch(/max_batch_items/);
        expect(bad.stderr).toMatch(/extra/);
      },
    );

    it(
      'suspends and resumes under a court order, the subject read from a file',
      { timeout: 120_000 },
      async () => {
        const subject = join(t.dataDir, 'subject.json');
        await writeFile(subject, JSON.stringify({ a_number: 'A012345678' }));
        const placed = await cli(
          'suspend',
          '--subject',
          subject,
          '--court-order',
          '1:26-cv-00042',
          '--reason',
          'temporary restraining order',
          '--actor',
          'ann',
          '--json',
        );
        expect(placed.code).toBe(0);
        const hold = placed.json<{ id: string }>();
        expect(hold).toMatchObject({
          scope: 'subject',
          subject_identifiers: 1,
          placed_by: 'operator:ann',
        });
        const two = await cli(
          'suspend',
          '--agency',
          'X',
          '--agreement',
          'Y',
          '--court-order',
          'c',
          '--reason',
          'r',
          '--json',
        );
        expect(two.code).toBe(1);
        expect(two.json()).toMatchObject({ error: { code: 'HOLD_SCOPE_REQUIRED' } });
        // A broken subject file: the error does not quote the person in it.
        const broken = join(t.dataDir, 'broken-subject.json');
        await writeFile(broken, '{"first_name": Zelda Quux}');
        const bad = await cli(
          'suspend',
          '--subject',
          broken,
          '--court-order',
          'c',
          '--reason',
          'r',
          '--json',
        );
        expect(bad.code).toBe(1);
        expect(bad.json()).toMatchObject({ error: { code: 'FILE_NOT_JSON' } });
        expect(bad.stdout + bad.stderr).not.toContain('Zelda');
        const listed = await cli('holds', '--json');
        expect(listed.json<{ holds: { id: string }[] }>().holds.map((h) => h.id)).toEqual([
          hold.id,
        ]);
        const resumed = await cli('resume', hold.id, '--court-order', 'order lifting', '--json');
        expect(resumed.code).toBe(0);
        expect(resumed.json()).toMatchObject({ id: hold.id, lift_court_order: 'order lifting' });
        expect((await cli('holds', '--json')).json()).toEqual({ holds: [] });
      },
    );

    it(
      'purges and recalls from the command line, recall certify as a subcommand',
      { timeout: 120_000 },
      async () => {
        const purge = await cli('purge', '--dry-run', '--json');
        expect(purge.code).toBe(0);
        expect(purge.json()).toMatchObject({ dry_run: true, items: expect.any(Number) });
        const recall = await cli('recall', '--model-version', 'no-such-model', '--json');
        expect(recall.code).toBe(0);
        expect(recall.json()).toEqual({ dry_run: false, recalls: [] });
        const both = await cli('recall', '--rule-version', 'a', '--model-version', 'b', '--json');
        expect(both.code).toBe(1);
        expect(both.json()).toMatchObject({ error: { code: 'RECALL_CRITERIA_INVALID' } });
        const certificate = join(t.dataDir, 'certificate.pdf');
        await writeFile(certificate, '%PDF-1.7 synthetic');
        const certify = await cli(
          'recall',
          'certify',
          'rcl_nope',
          '--certificate',
          certificate,
          '--json',
        );
        expect(certify.code).toBe(1);
        expect(certify.json()).toMatchObject({ error: { code: 'RECALL_NOT_FOUND' } });
      },
    );
  });
}
