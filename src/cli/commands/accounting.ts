import { writeFile } from 'node:fs/promises';
import { text as readStream } from 'node:stream/consumers';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { AccountingEntry, JctReport } from '../../reporting/accounting.ts';
import { jctReportCsv, reportYear } from '../../reporting/accounting.ts';
import { common, withBackend, type CommonOptions } from '../context.ts';
import { printResult } from '../output.ts';

type Accounting = { subject: string; entries: AccountingEntry[] };

export function registerAccounting(program: Command): void {
  common(program.command('accounting'))
    .description(
      "every inspection and disclosure of one taxpayer's returns (26 U.S.C. 6103(p)(3)(A)); recorded in the ledger",
    )
    .requiredOption(
      '--tin <tin>',
      "the taxpayer's TIN, or - to read it from stdin (kept out of ps)",
    )
    .action(async (opts: CommonOptions & { tin: string }) => {
      const tin = opts.tin === '-' ? (await readStream(process.stdin)).trim() : opts.tin;
      const out = await withBackend(opts, async (b) =>
        b.kind === 'local'
          ? b.tg.accounting(tin, b.actor)
          : (
              await b.client.request<Accounting>('POST', '/v1/operator/accounting', {
                json: { tin },
              })
            ).body,
      );
      printResult(opts, out, () =>
        out.entries.length === 0
          ? 'no inspection or disclosure of this taxpayer is recorded'
          : out.entries
              .map((e) =>
                [
                  e.at,
                  e.kind,
                  e.requesting_agency ?? '-',
                  e.statute,
                  `request ${e.request_id ?? '-'} (batch ${e.batch_id})`,
                  e.result ?? '',
                  `reason: ${e.reason}`,
                ]
                  .filter(Boolean)
                  .join('  '),
              )
              .join('\n'),
      );
    });

  const report = program.command('report').description('reports on the accounting');
  common(report.command('jct'))
    .description(
      'the yearly report to the Joint Committee on Taxation: per agency, requests, disclosures, taxpayers, statutes; recorded in the ledger',
    )
    .requiredOption('--year <year>', 'calendar year (UTC), e.g. 2026')
    .addOption(
      new Option('--format <format>', 'output format').choices(['json', 'csv']).default('json'),
    )
    .option('--out <file>', 'write to a file instead of stdout')
    .action(
      async (opts: CommonOptions & { year: string; format: 'json' | 'csv'; out?: string }) => {
        const year = reportYear(opts.year);
        const result = await withBackend(opts, async (b) =>
          b.kind === 'local'
            ? b.tg.jctReport(year, b.actor)
            : (await b.client.request<JctReport>('GET', `/v1/operator/reports/jct?year=${year}`))
                .body,
        );
        const text =
          opts.format === 'csv'
            ? jctReportCsv(result)
            : JSON.stringify(result, null, opts.json ? undefined : 2) + '\n';
        if (opts.out) {
          await writeFile(opts.out, text);
          printResult(
            opts,
            { out: opts.out, agencies: result.agencies.length },
            () => `wrote ${opts.out}`,
          );
        } else {
          process.stdout.write(text);
        }
      },
    );
}
