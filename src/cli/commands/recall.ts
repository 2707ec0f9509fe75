import { basename } from 'node:path';
import type { Command } from 'commander';
import { InvalidInputError } from '../../errors.ts';
import type { RecallView } from '../../policy/recall.ts';
import { readInputFile } from '../files.ts';
import { common, withBackend, type CommonOptions } from '../context.ts';
import { printResult } from '../output.ts';

interface RecallOptions extends CommonOptions {
  ruleVersion?: string;
  modelVersion?: string;
  from?: string;
  to?: string;
  dryRun?: boolean;
}

function describe(r: RecallView): string {
  const head = `${r.id ?? '(not recorded)'}  ${r.agency}: ${r.disclosures} disclosures in ${r.batches.length} batches`;
  const lines = r.batches.map(
    (b) =>
      `  ${b.batch_id} released ${b.released_at}: positions ${b.items.map((i) => `${i.position} ${i.outcome}`).join(', ')}`,
  );
  const cert = r.certificate
    ? [`  disposal certified ${r.certificate.certified_at} (sha256 ${r.certificate.sha256})`]
    : [];
  return [head, ...lines, ...cert].join('\n');
}

/** `taxgate recall …` and `taxgate recall certify …` (docs/cli.md#taxgate-recall). */
export function registerRecall(program: Command): void {
  const recall = common(program.command('recall'))
    .description(
      'list every disclosure made under a rule set or model version, or released in a period, and record the notice to each recipient',
    )
    .option('--rule-version <v>', 'outcomes judged by this rule set version')
    .option('--model-version <v>', 'outcomes proposed by this matching model version')
    .option('--from <date>', 'released on or after this day (YYYY-MM-DD, UTC), with --to')
    .option('--to <date>', 'released on or before this day (YYYY-MM-DD, UTC), with --from')
    .option('--dry-run', 'only list; record no notice')
    .action(async (opts: RecallOptions) => {
      const criteria = {
        ...(opts.ruleVersion !== undefined ? { rule_version: opts.ruleVersion } : {}),
        ...(opts.modelVersion !== undefined ? { model_version: opts.modelVersion } : {}),
        ...(opts.from !== undefined ? { from: opts.from } : {}),
        ...(opts.to !== undefined ? { to: opts.to } : {}),
      };
      const dryRun = opts.dryRun === true;
      const recalls = await withBackend(opts, async (b) =>
        b.kind === 'local'
          ? b.tg.recall(criteria, { dryRun, actor: b.actor })
          : (
              await b.client.request<{ recalls: RecallView[] }>('POST', '/v1/admin/recalls', {
                json: { ...criteria, dry_run: dryRun },
              })
            ).body.recalls,
      );
      printResult(opts, { dry_run: dryRun, recalls }, () =>
        recalls.length === 0 ? 'no disclosure is affected' : recalls.map(describe).join('\n'),
      );
    });

  common(recall.command('certify').argument('<recall-id>'))
    .description("record the recipient's certificate that it disposed of the recalled disclosures")
    .requiredOption('--certificate <file>', 'the certificate as received (PDF, signed JSON, …)')
    .action(async (id: string, opts: CommonOptions & { certificate: string }) => {
      const bytes = await readInputFile(opts.certificate);
      const filename = basename(opts.certificate);
      if (bytes.length === 0)
        throw new InvalidInputError('CERTIFICATE_INVALID', `${opts.certificate} is empty`);
      const view = await withBackend(opts, async (b) =>
        b.kind === 'local'
          ? b.tg.certifyRecall(id, { bytes, filename }, b.actor)
          : (
              await b.client.request<RecallView>(
                'POST',
                `/v1/admin/recalls/${encodeURIComponent(id)}/certificate`,
                { json: { filename, certificate_base64: bytes.toString('base64') } },
              )
            ).body,
      );
      printResult(opts, view, () => describe(view));
    });
}
