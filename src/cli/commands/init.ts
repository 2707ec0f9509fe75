import type { Command } from 'commander';
import { common, configFor, withBackend, type CommonOptions } from '../context.ts';
import { printResult } from '../output.ts';

export function registerInit(program: Command): void {
  common(program.command('init'), { actor: false })
    .description(
      'create or migrate the database, and the keys and tokens of the data folder; safe to run again',
    )
    .action(async (opts: CommonOptions) => {
      await withBackend(opts, async (b) => {
        if (b.kind === 'remote') {
          await b.client.request('GET', '/health');
          const out = {
            data_dir: configFor(opts).dataDir,
            database: 'served',
            initialised: true,
            via_server: b.client.server.url,
          };
          printResult(
            opts,
            out,
            () =>
              `the server at ${b.client.server.url} holds this data folder and has already initialised it`,
          );
          return;
        }
        const { tg } = b;
        const out = {
          data_dir: tg.config.dataDir,
          database: tg.target.kind,
          initialised: true,
          result_key_id: tg.resultPublicJwk.kid,
          ledger_vkey: tg.ledger.vkey,
        };
        printResult(opts, out, () =>
          [
            `initialised ${tg.target.kind === 'pglite' ? `PGlite in ${tg.config.dataDir}` : 'the PostgreSQL database'}`,
            `result signing key: ${out.result_key_id}`,
            `ledger verifier key: ${out.ledger_vkey}`,
          ].join('\n'),
        );
      });
    });
}
