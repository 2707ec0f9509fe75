import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { openLedgerReader } from '../../app.ts';
import { InvalidInputError, TaxgateError } from '../../errors.ts';
import { ensureLedgerSigner } from '../../ledger/ledger-key.ts';
import {
  formatRootFile,
  parseRootFile,
  type LedgerVerification,
  type SavedRoot,
} from '../../ledger/verify.ts';
import { common, configFor, type CommonOptions } from '../context.ts';
import { readInputFile } from '../files.ts';
import { printResult } from '../output.ts';

type LedgerOptions = CommonOptions & { checkpoint?: string; out?: string; force?: boolean };

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

async function readSavedRoot(path: string): Promise<SavedRoot> {
  const saved = parseRootFile((await readInputFile(path)).toString('utf8'));
  if (typeof saved === 'string') {
    throw new InvalidInputError(
      'LEDGER_ROOT_FILE_INVALID',
      `${path} is not a saved ledger root: ${saved}`,
    );
  }
  return saved;
}

/** Verifies the log read-only (no migration, no keys), failing with the first bad entry. */
async function verified(
  opts: LedgerOptions,
  saved?: SavedRoot,
): Promise<Extract<LedgerVerification, { ok: true }>> {
  const reader = await openLedgerReader(configFor(opts));
  let v: LedgerVerification;
  try {
    v = await reader.verify(saved ? { saved } : {});
  } finally {
    await reader.close();
  }
  if (!v.ok) {
    throw new TaxgateError('LEDGER_INVALID', v.message, {
      index: v.index,
      entries_verified: v.entries,
    });
  }
  return v;
}

export function registerLedger(program: Command): void {
  const ledger = program
    .command('ledger')
    .description('the tamper-evident ledger of every event (docs/ledger.md)');

  common(ledger.command('verify'), { actor: false })
    .description(
      'check every stored entry and recompute the Merkle root, offline; exit 1 naming the first bad entry',
    )
    .option('--checkpoint <file>', 'a root saved earlier by `taxgate ledger root --out FILE`')
    .action(async (opts: LedgerOptions) => {
      const saved = opts.checkpoint ? await readSavedRoot(opts.checkpoint) : undefined;
      const v = await verified(opts, saved);
      const out = {
        entries: v.entries,
        root: b64(v.root),
        ...(saved ? { checkpoint: { size: saved.size, root: b64(saved.root) } } : {}),
      };
      printResult(opts, out, () =>
        [
          `ledger verified: ${out.entries} entries`,
          `root: ${out.root}`,
          ...(saved
            ? [`consistent with the root saved at size ${saved.size} (${opts.checkpoint})`]
            : []),
        ].join('\n'),
      );
    });

  common(ledger.command('key'), { actor: false })
    .description(
      'print the verifier key of the checkpoints (C2SP vkey <origin>+<key ID>+<key>), creating the ledger key on first use',
    )
    .action(async (opts: CommonOptions) => {
      const config = configFor(opts);
      // Only the key files: no database, so it works while a server holds the folder.
      const { vkey } = await ensureLedgerSigner(config.dataDir, config.ledgerOrigin);
      printResult(opts, { origin: config.ledgerOrigin, vkey }, () => vkey);
    });

  common(ledger.command('root'), { actor: false })
    .description('verify the ledger, then save its size and root to compare with later')
    .requiredOption('--out <file>', 'where to write {"size", "root"} (JSON)')
    .option('--force', 'overwrite an existing file')
    .action(async (opts: LedgerOptions & { out: string }) => {
      const v = await verified(opts);
      const saved = { size: v.entries, root: v.root };
      try {
        await writeFile(opts.out, formatRootFile(saved), { flag: opts.force ? 'w' : 'wx' });
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'EEXIST') {
          throw new TaxgateError(
            'FILE_EXISTS',
            `${opts.out} exists; choose another --out or pass --force`,
          );
        }
        throw new InvalidInputError('FILE_UNWRITABLE', `cannot write ${opts.out} (${code})`);
      }
      const out = { entries: saved.size, root: b64(saved.root), out: opts.out };
      printResult(
        opts,
        out,
        () => `saved the root of ${out.entries} entries to ${out.out}\nroot: ${out.root}`,
      );
    });
}
