import type { Command } from 'commander';
import type { PurgeReport } from '../../policy/retention.ts';
import { common, withBackend, type CommonOptions } from '../context.ts';
import { printResult } from '../output.ts';

/** `taxgate purge [--dry-run]` (docs/cli.md#taxgate-purge). */
export function registerPurge(program: Command): void {
  common(program.command('purge'))
    .description(
      "remove request text of batches released more than the agreement's retention_days ago (keyed hashes, outcomes and the ledger stay)",
    )
    .option('--dry-run', 'only list what would be removed: counts per batch, no request data')
    .action(async (opts: CommonOptions & { dryRun?: boolean }) => {
      const dryRun = opts.dryRun === true;
      const report = await withBackend(opts, async (b) =>
        b.kind === 'local'
          ? b.tg.purge({ dryRun, actor: b.actor })
          : (
              await b.client.request<PurgeReport>('POST', '/v1/admin/purge', {
                json: { dry_run: dryRun },
              })
            ).body,
      );
      printResult(opts, report, () => {
        const lines = report.batches.map(
          (c) =>
            `${c.batch_id}  ${c.items} items  released ${c.released_at}  retention ${c.retention_days} days`,
        );
        const head = dryRun
          ? `would purge ${report.items} items in ${report.batches.length} batches`
          : `purged ${report.items} items in ${report.batches.length} batches`;
        return [head, ...lines].join('\n');
      });
    });
}
