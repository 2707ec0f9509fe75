import type { Command } from 'commander';
import { common, withLocal, type CommonOptions } from '../context.ts';
import { printResult } from '../output.ts';

export function registerModel(program: Command): void {
  const model = program.command('model').description('the matching model');
  common(model.command('train'))
    .description(
      're-estimate name frequencies, u (from the store) and m (by EM over recent requests) as a new model version',
    )
    .action(async (opts: CommonOptions) => {
      await withLocal(opts, 'model train', async (tg, actor) => {
        const report = await tg.trainModel(actor);
        printResult(opts, report, () =>
          [
            `model ${report.version}`,
            `name frequencies: ${report.name_frequencies.surnames} surname forms, ${report.name_frequencies.givens} given names`,
            `u from ${report.u_pairs} blocked pairs of different taxpayers`,
            report.em_match_share !== null
              ? `m by EM over ${report.em_pairs} candidate pairs of recent requests, at most one person per request (${report.em_iterations} iterations; the person among the candidates for ${(report.em_match_share * 100).toFixed(1)} % of requests), ${report.labelled_requests} of them labelled by a reviewer's confirmation`
              : `m of the default model (${report.em_pairs} candidate pairs of recent requests; EM needs 1000)`,
            `λ = ${report.lambda.toFixed(4)}, the documented prior`,
          ].join('\n'),
        );
      });
    });
}
