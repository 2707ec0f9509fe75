import { Command, CommanderError } from 'commander';
import { registerAccounting } from './commands/accounting.ts';
import { registerAgreement } from './commands/agreement.ts';
import { registerBatch } from './commands/batch.ts';
import { registerDemo } from './commands/demo.ts';
import { registerHolds } from './commands/holds.ts';
import { registerInit } from './commands/init.ts';
import { registerKeys } from './commands/keys.ts';
import { registerLedger } from './commands/ledger.ts';
import { registerModel } from './commands/model.ts';
import { registerOfficial } from './commands/official.ts';
import { registerPurge } from './commands/purge.ts';
import { registerRecall } from './commands/recall.ts';
import { registerServe } from './commands/serve.ts';
import { registerTaxpayers } from './commands/taxpayers.ts';
import { EXIT, reportError } from './output.ts';

/** Builds the `taxgate` command tree (docs/cli.md). */
export function buildProgram(): Command {
  const program = new Command('taxgate')
    .description('taxgate — the tax agency side of confirm-only verification')
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  registerInit(program);
  registerTaxpayers(program);
  registerKeys(program);
  registerAgreement(program);
  registerOfficial(program);
  registerBatch(program);
  registerHolds(program);
  registerPurge(program);
  registerRecall(program);
  registerModel(program);
  registerLedger(program);
  registerAccounting(program);
  registerServe(program);
  registerDemo(program);
  // Subcommands throw instead of exiting, so one place decides the exit code.
  const override = (cmd: Command) => {
    cmd.exitOverride();
    cmd.commands.forEach(override);
  };
  override(program);
  return program;
}

/**
 * Runs the CLI and returns its exit code: 0 ok, 1 failure, 2 usage.
 * @example process.exitCode = await main(['batch', 'show', 'bat_1', '--json'])
 */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      )
        return EXIT.ok;
      if (json)
        process.stdout.write(
          JSON.stringify({
            error: { code: 'USAGE', message: err.message.replace(/^error: /, '') },
          }) + '\n',
        );
      return EXIT.usage;
    }
    return reportError({ json }, err);
  }
}
