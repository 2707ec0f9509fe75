import type { Command } from 'commander';
import { readJsonFile } from '../files.ts';
import { common, withBackend, type CommonOptions } from '../context.ts';
import { printResult } from '../output.ts';

export function registerOfficial(program: Command): void {
  const official = program
    .command('official')
    .description('signing officials of requesting agencies');
  common(official.command('add'))
    .description('register a signing official with the public key that verifies its batches')
    .requiredOption('--agreement <id>', 'agreement the official signs under')
    .requiredOption('--name <name>', "the official's name")
    .requiredOption('--role <role>', 'a signatory role of the agreement')
    .requiredOption('--public-key <file>', 'the official’s .public.jwk file')
    .action(
      async (
        opts: CommonOptions & { agreement: string; name: string; role: string; publicKey: string },
      ) => {
        const input = {
          agreement_id: opts.agreement,
          name: opts.name,
          role: opts.role,
          public_jwk: await readJsonFile(opts.publicKey),
        };
        const result = await withBackend(opts, async (b) =>
          b.kind === 'local'
            ? b.tg.addOfficial(input, b.actor)
            : (
                await b.client.request<{ id: string }>('POST', '/v1/admin/officials', {
                  json: input,
                })
              ).body,
        );
        printResult(opts, result, () => `registered official ${result.id}`);
      },
    );
}
