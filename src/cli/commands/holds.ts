import type { Command } from 'commander';
import { InvalidInputError } from '../../errors.ts';
import type { HoldView } from '../../policy/holds.ts';
import { readJsonFile } from '../files.ts';
import { common, withBackend, type CommonOptions } from '../context.ts';
import { printResult } from '../output.ts';

interface SuspendOptions extends CommonOptions {
  agreement?: string;
  agency?: string;
  subject?: string;
  courtOrder: string;
  reason: string;
}

function describeHold(h: HoldView): string {
  const what = h.scope === 'subject' ? 'a subject' : `${h.scope} ${h.target}`;
  return h.lifted_at
    ? `hold ${h.id} on ${what} lifted under court order ${h.lift_court_order}`
    : `hold ${h.id} on ${what} in force under court order ${h.court_order}`;
}

/** `taxgate suspend`, `taxgate resume` and `taxgate holds` (docs/cli.md#holds). */
export function registerHolds(program: Command): void {
  common(program.command('suspend'))
    .description(
      'suspend an agreement, an agency or one subject under a court order: new batches are refused, items in flight come back SUSPENDED',
    )
    .option('--agreement <id>', 'suspend every request under this agreement')
    .option('--agency <name>', 'suspend every request from this requesting agency')
    .option(
      '--subject <file>',
      'suspend requests about one person: a JSON file {first_name, last_name, street, zip | city + state} or {a_number} (a file, so the person is not in your shell history)',
    )
    .requiredOption('--court-order <ref>', 'the court order that requires the hold')
    .requiredOption('--reason <text>', 'why, for the record (no taxpayer data)')
    .action(async (opts: SuspendOptions) => {
      const given = [opts.agreement, opts.agency, opts.subject].filter((v) => v !== undefined);
      if (given.length !== 1) {
        throw new InvalidInputError(
          'HOLD_SCOPE_REQUIRED',
          'give exactly one of --agreement, --agency or --subject',
        );
      }
      const base = { court_order: opts.courtOrder, reason: opts.reason };
      const body =
        opts.agreement !== undefined
          ? { scope: 'agreement', agreement_id: opts.agreement, ...base }
          : opts.agency !== undefined
            ? { scope: 'agency', agency: opts.agency, ...base }
            : {
                scope: 'subject',
                subject: await readJsonFile(opts.subject!, { private: true }),
                ...base,
              };
      const hold = await withBackend(opts, async (b) =>
        b.kind === 'local'
          ? b.tg.placeHold(body, b.actor)
          : (await b.client.request<HoldView>('POST', '/v1/admin/holds', { json: body })).body,
      );
      printResult(opts, hold, () => describeHold(hold));
    });

  common(program.command('resume').argument('<hold-id>', 'the hold to lift'))
    .description('lift a hold under the court order that ends it')
    .requiredOption('--court-order <ref>', 'the court order that lifts the hold')
    .action(async (holdId: string, opts: CommonOptions & { courtOrder: string }) => {
      const body = { court_order: opts.courtOrder };
      const hold = await withBackend(opts, async (b) =>
        b.kind === 'local'
          ? b.tg.liftHold(holdId, body, b.actor)
          : (
              await b.client.request<HoldView>(
                'POST',
                `/v1/admin/holds/${encodeURIComponent(holdId)}/resume`,
                { json: body },
              )
            ).body,
      );
      printResult(opts, hold, () => describeHold(hold));
    });

  common(program.command('holds'), { actor: false })
    .description('list holds in force (--all: lifted ones too)')
    .option('--all', 'include lifted holds')
    .action(async (opts: CommonOptions & { all?: boolean }) => {
      const holds = await withBackend(opts, async (b) =>
        b.kind === 'local'
          ? b.tg.listHolds({ includeLifted: opts.all === true })
          : (
              await b.client.request<{ holds: HoldView[] }>(
                'GET',
                `/v1/admin/holds${opts.all ? '?all=true' : ''}`,
              )
            ).body.holds,
      );
      printResult(opts, { holds }, () =>
        holds.length === 0 ? 'no holds' : holds.map(describeHold).join('\n'),
      );
    });
}
