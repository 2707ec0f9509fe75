import { access } from 'node:fs/promises';
import type { Command } from 'commander';
import { generateEd25519KeyPair, writeKeyPair } from '../../auth/keys.ts';
import { TaxgateError } from '../../errors.ts';
import type { CommonOptions } from '../context.ts';
import { printResult } from '../output.ts';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('signing keys');
  keys
    .command('generate')
    .description('make an Ed25519 key pair as PREFIX.private.jwk (mode 0600) and PREFIX.public.jwk')
    .requiredOption('--out <prefix>', 'path prefix of the two files')
    .option('--force', 'overwrite existing files')
    .option('--json', 'print one JSON object on stdout')
    .action(async (opts: CommonOptions & { out: string; force?: boolean }) => {
      if (!opts.force) {
        for (const p of [`${opts.out}.private.jwk`, `${opts.out}.public.jwk`]) {
          const exists = await access(p).then(
            () => true,
            () => false,
          );
          if (exists)
            throw new TaxgateError(
              'FILE_EXISTS',
              `${p} exists; choose another --out or pass --force`,
            );
        }
      }
      const pair = await generateEd25519KeyPair();
      const paths = await writeKeyPair(opts.out, pair);
      printResult(
        opts,
        { kid: pair.kid, private_key: paths.privatePath, public_key: paths.publicPath },
        () =>
          [
            `private key: ${paths.privatePath} (keep it secret)`,
            `public key:  ${paths.publicPath}`,
            `key id:      ${pair.kid}`,
          ].join('\n'),
      );
    });
}
