import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { openLedgerReader } from '../../app.ts';
import { InvalidInputError, TaxgateError } from '../../errors.ts';
import { parseVerifierKey, verifyNote } from '../../ledger/checkpoint.ts';
import { ensureLedgerSigner, readLedgerVerifierKey } from '../../ledger/ledger-key.ts';
import {
  formatRootFile,
  parseRootFile,
  type LedgerVerification,
  type SavedRoot,
} from '../../ledger/verify.ts';
import { common, configFor, type CommonOptions } from '../context.ts';
import { readInputFile } from '../files.ts';
import { printResult } from '../output.ts';

type LedgerOptions = CommonOptions & {
  checkpoint?: string;
  key?: string;
  out?: string;
  force?: boolean;
};

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/**
 * The verifier key: `--key` (the key itself or a file holding it), else the data folder's
 * ledger key, else none (stored checkpoints are then checked for their roots only).
 */
async function verifierKeyFor(opts: LedgerOptions): Promise<string | null> {
  const config = configFor(opts);
  if (opts.key) {
    const text = /^[^\s+]+\+[0-9a-f]{8}\+/.test(opts.key)
      ? opts.key
      : (await readInputFile(opts.key)).toString('utf8').trim();
    const key = parseVerifierKey(text);
    if (typeof key === 'string') {
      throw new InvalidInputError('LEDGER_KEY_INVALID', `--key is not a verifier key: ${key}`);
    }
    return text;
  }
  return readLedgerVerifierKey(config.dataDir, config.ledgerOrigin);
}

/**
 * A file given to --checkpoint: a signed checkpoint (C2SP signed note, e.g. saved from
 * GET /ledger/checkpoint or a receipt), checked with the ledger key; or the
 * `{"size", "root"}` JSON of `ledger root`.
 */
async function readSavedCheckpoint(
  path: string,
  vkey: string | null,
): Promise<{ saved: SavedRoot; signed: boolean }> {
  const text = (await readInputFile(path)).toString('utf8');
  if (text.trimStart().startsWith('{')) {
    const saved = parseRootFile(text);
    if (typeof saved === 'string') {
      throw new InvalidInputError(
        'LEDGER_ROOT_FILE_INVALID',
        `${path} is not a saved ledger root: ${saved}`,
      );
    }
    return { saved, signed: false };
  }
  if (!vkey) {
    throw new InvalidInputError(
      'LEDGER_KEY_MISSING',
      `${path} is a signed checkpoint, and no ledger key is known to check it: pass --key <verifier key>`,
    );
  }
  const v = verifyNote(text, [vkey]);
  if (!v.ok) {
    throw new TaxgateError(
      'LEDGER_CHECKPOINT_INVALID',
      `${path} is not a checkpoint signed by the ledger key: ${v.reason}`,
    );
  }
  return {
    saved: {
      size: v.checkpoint.size,
      root: v.checkpoint.rootHash,
      label: 'the root of the saved checkpoint',
    },
    signed: true,
  };
}

/** Verifies the log read-only (no migration, no keys), failing with the first bad entry. */
async function verified(
  opts: LedgerOptions,
  saved?: SavedRoot,
  vkey: string | null = null,
): Promise<
  Extract<LedgerVerification, { ok: true }> & {
    storedCheckpoints: number;
    accounting: { pages: number; releases: number };
  }
> {
  const reader = await openLedgerReader(configFor(opts));
  let v: LedgerVerification;
  let storedCheckpoints: number;
  let accounting: { pages: number; releases: number };
  try {
    ({
      result: v,
      storedCheckpoints,
      accounting,
    } = await reader.verify({
      vkey,
      ...(saved ? { saved } : {}),
    }));
  } finally {
    await reader.close();
  }
  if (!v.ok) {
    throw new TaxgateError('LEDGER_INVALID', v.message, {
      index: v.index,
      entries_verified: v.entries,
    });
  }
  return { ...v, storedCheckpoints, accounting };
}

export function registerLedger(program: Command): void {
  const ledger = program
    .command('ledger')
    .description('the tamper-evident ledger of every event (docs/ledger.md)');

  common(ledger.command('verify'), { actor: false })
    .description(
      'check every stored entry and recompute the Merkle root, offline; exit 1 naming the first bad entry',
    )
    .option(
      '--checkpoint <file>',
      'a signed checkpoint saved earlier (GET /ledger/checkpoint, a receipt), or a root saved by `taxgate ledger root`',
    )
    .option(
      '--key <vkey>',
      "the ledger's verifier key, or a file holding it (default: the data folder's ledger key)",
    )
    .action(async (opts: LedgerOptions) => {
      const vkey = await verifierKeyFor(opts);
      const given = opts.checkpoint ? await readSavedCheckpoint(opts.checkpoint, vkey) : undefined;
      const saved = given?.saved;
      const v = await verified(opts, saved, vkey);
      const out = {
        entries: v.entries,
        root: b64(v.root),
        ...(saved
          ? { checkpoint: { size: saved.size, root: b64(saved.root), signed: given!.signed } }
          : {}),
        stored_checkpoints: {
          count: v.storedCheckpoints,
          signatures: vkey ? 'verified' : 'not checked: no ledger key (pass --key)',
        },
        accounting: v.accounting,
      };
      printResult(opts, out, () =>
        [
          `ledger verified: ${out.entries} entries`,
          `root: ${out.root}`,
          `stored checkpoints: ${v.storedCheckpoints}, each consistent with the log; signatures ${out.stored_checkpoints.signatures}`,
          `accounting: the rows of ${v.accounting.pages} match pages and ${v.accounting.releases} releases give the digests their entries recorded`,
          ...(saved
            ? [
                `consistent with the ${given!.signed ? 'signed checkpoint' : 'root'} saved at size ${saved.size} (${opts.checkpoint})`,
              ]
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
      const v = await verified(opts, undefined, await verifierKeyFor(opts));
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
