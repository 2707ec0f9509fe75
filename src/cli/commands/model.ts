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
            report.em_lambda !== null
              ? `m by EM over ${report.em_pairs} candidate pairs of recent requests (${report.em_iterations} iterations; EM's λ ${report.em_lambda.toFixed(4)} not used)`
              : `m kept from the previous model (${report.em_pairs} candidate pairs of recent requests; EM needs 1000)`,
            `λ = ${report.lambda.toFixed(4)}, the documented prior`,
          ].join('\n'),
        );
      });
    });
}
