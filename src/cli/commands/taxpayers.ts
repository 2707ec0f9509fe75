import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { InvalidInputError } from '../../errors.ts';
import type { ImportSummary } from '../../taxpayers/import.ts';
import type { Taxgate } from '../../app.ts';
import { common, withLocal, type CommonOptions } from '../context.ts';
import { printResult } from '../output.ts';

/**
 * Imports a returns CSV with a progress bar on a terminal (by bytes read) and
 * each bad row reported on stderr as it is found.
 */
export async function importWithProgress(
  tg: Taxgate,
  file: string,
  actor: string,
  opts: { json?: boolean; quiet?: boolean },
): Promise<ImportSummary> {
  const size = await stat(file).then(
    (s) => s.size,
    () => {
      throw new InvalidInputError('FILE_UNREADABLE', `no file ${file}`);
    },
  );
  const showBar = !opts.json && !opts.quiet && process.stderr.isTTY;
  const bar = showBar
    ? new SingleBar(
        {
          format: 'importing |{bar}| {percentage}% | {rows} rows | {eta_formatted} left',
          stream: process.stderr,
          hideCursor: true,
        },
        Presets.shades_classic,
      )
    : null;
  let bytes = 0;
  bar?.start(size, 0, { rows: 0 });
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  const source = createReadStream(file);
  source.on('error', (err) => counter.destroy(err));
  try {
    return await tg.importTaxpayers(source.pipe(counter), {
      actor,
      onProgress: (rows) => bar?.update(bytes, { rows }),
      onProblem: (p) => {
        if (!opts.json && !opts.quiet)
          process.stderr.write(`${showBar ? '\n' : ''}${file}:${p.line}: ${p.reason}\n`);
      },
    });
  } finally {
    bar?.update(bytes);
    bar?.stop();
  }
}

export function registerTaxpayers(program: Command): void {
  const taxpayers = program.command('taxpayers').description('the taxpayer store');
  common(
    taxpayers
      .command('import')
      .argument('<file>', 'returns CSV (docs/formats.md#taxpayer-returns-csv)'),
  )
    .description(
      'stream a returns CSV into the store; bad rows are reported by line while good rows load; importing the same file again changes nothing',
    )
    .action(async (file: string, opts: CommonOptions) => {
      await withLocal(opts, 'taxpayers import', async (tg, actor) => {
        const summary = await importWithProgress(tg, file, actor, opts);
        printResult(opts, summary, () =>
          [
            `${summary.rows} rows read: ${summary.inserted} new, ${summary.updated} updated, ${summary.unchanged} unchanged, ${summary.rejected} rejected`,
            ...(summary.rejected > summary.problems.length
              ? [`(${summary.problems.length} problems listed)`]
              : []),
          ].join('\n'),
        );
        if (summary.rejected > 0) process.exitCode = 1;
      });
    });

  common(taxpayers.command('reindex'))
    .description(
      "rebuild the matching engine's index of addresses of record from the stored returns",
    )
    .action(async (opts: CommonOptions) => {
      await withLocal(opts, 'taxpayers reindex', async (tg) => {
        const tins = await tg.reindexTaxpayers((n) => {
          if (!opts.json && process.stderr.isTTY) process.stderr.write(`\rindexed ${n} taxpayers`);
        });
        if (!opts.json && process.stderr.isTTY) process.stderr.write('\n');
        printResult(opts, { taxpayers: tins }, () => `indexed ${tins} taxpayers`);
      });
    });
}
