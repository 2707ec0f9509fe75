import type { Command } from 'commander';
import { readJsonFile } from '../files.ts';
import { common, withBackend, type CommonOptions } from '../context.ts';
import { printResult } from '../output.ts';
import type { ApplyResult } from '../../policy/agreements.store.ts';

export function registerAgreement(program: Command): void {
  const agreement = program.command('agreement').description('agreements with requesting agencies');
  common(
    agreement.command('apply').argument('<file>', 'agreement JSON (docs/formats.md#agreement)'),
  )
    .description(
      'create an agreement, or a new version of it when the file differs from the latest',
    )
    .action(async (file: string, opts: CommonOptions) => {
      const doc = await readJsonFile(file);
      const result = await withBackend(opts, async (b) =>
        b.kind === 'local'
          ? b.tg.applyAgreement(doc, b.actor)
          : (await b.client.request<ApplyResult>('PUT', '/v1/admin/agreements', { json: doc }))
              .body,
      );
      printResult(opts, result, () =>
        result.changed
          ? `agreement ${result.id} is now at version ${result.version}`
          : `agreement ${result.id} is unchanged (version ${result.version})`,
      );
    });
}
