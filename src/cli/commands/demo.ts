import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join, relative } from 'node:path';
import { once } from 'node:events';
import type { Command } from 'commander';
import { sql } from 'kysely';
import { openTaxgate, type Taxgate } from '../../app.ts';
import { generateEd25519KeyPair, writeKeyPair } from '../../auth/keys.ts';
import { addDays } from '../../policy/item-rules.ts';
import type { AgreementDocument } from '../../policy/agreement.ts';
import { syntheticReturns, toCsvLine } from '../../taxpayers/synthetic.ts';
import { TAXPAYER_COLUMNS } from '../../taxpayers/taxpayer-row.ts';
import { common, configFor } from '../context.ts';
import { importWithProgress } from './taxpayers.ts';
import { startServing, type ServeOptions } from './serve.ts';

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** Demo agreement: in force from 30 days ago for a year. */
function demoAgreement(today: string): AgreementDocument {
  const effective_from = addDays(today, -30);
  const expires_at = addDays(today, 335);
  const role = (name: string) => ({
    role: name,
    valid_from: effective_from,
    valid_to: expires_at,
    delegation: null,
  });
  return {
    format: 2,
    id: 'demo-ice',
    requesting_agency: 'DHS/ICE (synthetic demo)',
    effective_from,
    expires_at,
    statutes: ['8 USC 1253(a)(1)(A)'],
    signatory_roles: [role('agency_head'), role('designated_official')],
    departure_period_days: 90,
    max_batch_items: 100000,
    duplicate_window_days: 180,
    retention_days: 365,
    release_approvals: 1,
    renewal: null,
    recipients: ['Demo Officer One', 'Demo Officer Two'],
    monthly_item_cap: 1_000_000,
    safeguards: {
      ssr_approved_on: addDays(today, -60),
      ssr_valid_until: addDays(today, 305),
      corrective_actions: [],
    },
    attestation_review_threshold: null,
  };
}

/**
 * Prepares the demo in the data folder, each step skipped when already done:
 * synthetic taxpayer store, agreement, signing official with keys, and an
 * unsigned sample batch mixing lawful and unlawful requests.
 */
export async function prepareDemo(
  tg: Taxgate,
  opts: { returns: number; json?: boolean; log: (s: string) => void },
) {
  const dir = join(tg.config.dataDir, 'demo');
  await mkdir(dir, { recursive: true });
  const today = new Date().toISOString().slice(0, 10);

  const { returns } = await tg.countTaxpayers();
  if (returns < opts.returns) {
    const csvPath = join(dir, 'taxpayers.csv');
    opts.log(`generating ${opts.returns} synthetic returns in ${csvPath}`);
    const out = createWriteStream(csvPath);
    out.write(TAXPAYER_COLUMNS.join(',') + '\n');
    for (const r of syntheticReturns({ returns: opts.returns, seed: 2026 })) {
      if (!out.write(toCsvLine(r) + '\n')) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const s = await importWithProgress(tg, csvPath, 'system:demo', { json: opts.json });
    opts.log(`imported ${s.rows} returns (${s.inserted} new)`);
  }

  const agreementPath = join(dir, 'agreement.json');
  if (!(await exists(agreementPath)))
    await writeFile(agreementPath, JSON.stringify(demoAgreement(today), null, 2) + '\n');
  const agreement = JSON.parse(await readFile(agreementPath, 'utf8')) as AgreementDocument;
  await tg.applyAgreement(agreement, 'system:demo');

  const officialPath = join(dir, 'official.json');
  const keyPrefix = join(dir, 'official');
  if (!(await exists(officialPath))) {
    const pair = await generateEd25519KeyPair();
    await writeKeyPair(keyPrefix, pair);
    const { id } = await tg.addOfficial(
      {
        agreement_id: agreement.id,
        name: 'Demo Agency Head',
        role: 'agency_head',
        public_jwk: pair.publicJwk,
      },
      'system:demo',
    );
    await writeFile(officialPath, JSON.stringify({ id }, null, 2) + '\n');
  }
  const officialId = (JSON.parse(await readFile(officialPath, 'utf8')) as { id: string }).id;

  const batchPath = join(dir, 'batch.json');
  if (!(await exists(batchPath))) {
    const people = await sql<{
      first_name: string;
      last_name: string;
      street: string;
      unit: string;
      city: string;
      state: string;
      zip: string;
    }>`
      select r.first_name, r.last_name, r.street, r.unit, r.city, r.state, r.zip
        from taxpayer_returns r join taxpayer_features a on a.tin = r.tin and a.tax_year = r.tax_year
       order by r.tin limit 3`.execute(tg.db);
    const lawful = (over: Record<string, unknown>) => ({
      middle_name: '',
      unit: '',
      a_number: 'A000000000',
      removal_order_date: addDays(today, -200),
      removal_order_case_number: 'DEMO-CASE-1',
      taxable_periods: [Number(today.slice(0, 4)) - 2],
      statute: agreement.statutes[0],
      reason:
        'Subject of a final order of removal; address needed to locate for enforcement (demo)',
      investigation_id: 'DEMO-INV-1',
      recipients: ['Demo Officer One'],
      ...over,
    });
    const items = [
      ...people.rows.map((p, i) => lawful({ request_id: `demo-${i + 1}`, ...p })),
      lawful({
        request_id: 'demo-4',
        first_name: 'Nobody',
        last_name: 'Synthetic',
        street: '1 Nowhere Ln',
        city: 'Omaha',
        state: 'NE',
        zip: '68101',
      }),
      lawful({
        request_id: 'demo-5',
        first_name: 'Ana',
        last_name: 'Example',
        street: 'Failed to Provide',
        city: 'Omaha',
        state: 'NE',
        zip: '68101',
      }),
      lawful({
        request_id: 'demo-6',
        first_name: 'Ana',
        last_name: 'Example',
        street: '',
        city: '',
        state: '',
        zip: '68101',
      }),
      lawful({
        request_id: 'demo-7',
        first_name: 'Luis',
        last_name: 'Example',
        street: '7 Elm St',
        city: 'Omaha',
        state: 'NE',
        zip: '68101',
        removal_order_date: addDays(today, -10),
      }),
    ];
    await writeFile(
      batchPath,
      JSON.stringify({ agreement_id: agreement.id, items }, null, 2) + '\n',
    );
  }
  return { dir, officialId, batchPath, keyPath: `${keyPrefix}.private.jwk` };
}

export function registerDemo(program: Command): void {
  common(program.command('demo'), { actor: false })
    .description(
      'set up a demo (synthetic taxpayers, agreement, official, sample batch) in the data folder and serve it',
    )
    .option('--returns <n>', 'synthetic returns to seed', '100000')
    .option('--port <port>', 'port (default: $TAXGATE_PORT or 8620)')
    .option('--host <host>', 'interface (default: $TAXGATE_HOST or 127.0.0.1)')
    .option('--no-serve', 'prepare the demo and exit')
    .action(async (opts: ServeOptions & { returns: string; serve: boolean }) => {
      const log = (s: string) => process.stderr.write(s + '\n');
      const returns = Number(opts.returns);
      const tg = await openTaxgate(configFor(opts));
      let url = '';
      let demo;
      try {
        demo = await prepareDemo(tg, {
          returns: Number.isInteger(returns) && returns > 0 ? returns : 100000,
          json: opts.json,
          log,
        });
        // The demo keeps the terminal readable: warnings only, unless a level is set.
        if (opts.serve)
          ({ url } = await startServing(tg, {
            ...opts,
            logLevel: process.env.TAXGATE_LOG_LEVEL ?? 'warn',
          }));
      } catch (err) {
        await tg.close();
        throw err;
      }
      const rel = (p: string) => relative(process.cwd(), p) || '.';
      const dataFlag =
        rel(tg.config.dataDir) === '.taxgate' ? '' : ` --data ${rel(tg.config.dataDir)}`;
      const jws = join(demo.dir, 'batch.jws');
      if (opts.json) {
        process.stdout.write(
          JSON.stringify({
            url: url || null,
            data_dir: tg.config.dataDir,
            official_id: demo.officialId,
            batch_file: demo.batchPath,
            key_file: demo.keyPath,
          }) + '\n',
        );
      } else {
        process.stdout.write(
          [
            '',
            url
              ? `taxgate is running at ${url}  (API docs: ${url}/docs, health: ${url}/health)`
              : `demo prepared in ${tg.config.dataDir}`,
            '',
            'Try, in another terminal in this folder:',
            `  npx taxgate batch sign ${rel(demo.batchPath)} --official ${demo.officialId} --key ${rel(demo.keyPath)} --out ${rel(jws)}`,
            `  npx taxgate batch submit ${rel(jws)} --wait${dataFlag}`,
            `  npx taxgate batch show BATCH_ID${dataFlag}`,
            `  npx taxgate batch approve BATCH_ID${dataFlag}`,
            `  npx taxgate batch results BATCH_ID --format csv${dataFlag}`,
            '',
            url ? 'Ctrl-C stops the server.' : '',
          ].join('\n') + '\n',
        );
      }
      if (!opts.serve) {
        await tg.close();
        return;
      }
      await new Promise(() => {});
    });
}
