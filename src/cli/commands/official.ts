import type { Command } from 'commander';
import { readJsonFile } from '../files.ts';
import { common, withBackend, type CommonOptions } from '../context.ts';
import { printResult } from '../output.ts';
import type { OfficialKeyView } from '../../policy/official-keys.ts';

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

  common(official.command('rotate-key').argument('<official-id>'))
    .description(
      'register a new key for an official; its other keys are retired (kept forever, they no longer sign)',
    )
    .requiredOption('--public-key <file>', 'the new .public.jwk file')
    .action(async (officialId: string, opts: CommonOptions & { publicKey: string }) => {
      const jwk = await readJsonFile(opts.publicKey);
      const result = await withBackend(opts, async (b) =>
        b.kind === 'local'
          ? b.tg.rotateOfficialKey(officialId, jwk, b.actor)
          : (
              await b.client.request<{ thumbprint: string; retired: string[] }>(
                'POST',
                `/v1/admin/officials/${encodeURIComponent(officialId)}/keys`,
                { json: { public_jwk: jwk } },
              )
            ).body,
      );
      printResult(
        opts,
        result,
        () =>
          `key ${result.thumbprint} is current; retired: ${result.retired.join(', ') || 'none'}`,
      );
    });

  common(
    official
      .command('revoke-key')
      .argument('<official-id>')
      .argument('<thumbprint>', 'the key to revoke (see `taxgate official keys`)'),
  )
    .description('revoke a key: signatures by it received from --since on are refused')
    .option(
      '--since <iso-time>',
      'revoked from this time, e.g. when it may have been exposed (default: now)',
    )
    .requiredOption('--reason <text>', 'why (recorded with the key)')
    .action(
      async (
        officialId: string,
        tp: string,
        opts: CommonOptions & { since?: string; reason: string },
      ) => {
        const body = { reason: opts.reason, ...(opts.since ? { revoked_at: opts.since } : {}) };
        const result = await withBackend(opts, async (b) =>
          b.kind === 'local'
            ? b.tg.revokeOfficialKey(officialId, tp, body, b.actor)
            : (
                await b.client.request<OfficialKeyView>(
                  'POST',
                  `/v1/admin/officials/${encodeURIComponent(officialId)}/keys/${encodeURIComponent(tp)}/revoke`,
                  { json: body },
                )
              ).body,
        );
        printResult(
          opts,
          result,
          () => `key ${result.thumbprint} revoked from ${result.revoked_at}`,
        );
      },
    );

  common(official.command('keys').argument('<official-id>'), { actor: false })
    .description("list an official's keys, retired and revoked ones included")
    .action(async (officialId: string, opts: CommonOptions) => {
      const keys = await withBackend(opts, async (b) =>
        b.kind === 'local'
          ? b.tg.officialKeys(officialId)
          : (
              await b.client.request<{ keys: OfficialKeyView[] }>(
                'GET',
                `/v1/admin/officials/${encodeURIComponent(officialId)}/keys`,
              )
            ).body.keys,
      );
      printResult(opts, { keys }, () =>
        keys
          .map(
            (k) =>
              `${k.thumbprint}  ${k.revoked_at ? `revoked ${k.revoked_at}` : k.retired_at ? `retired ${k.retired_at}` : 'current'}`,
          )
          .join('\n'),
      );
    });
}
