import { writeFile } from 'node:fs/promises';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { ReviewFlagView } from '../../policy/attestations.ts';
import { Option } from 'commander';
import { importPrivateJwk, readJwkFile } from '../../auth/keys.ts';
import { resultsToCsv } from '../../disclosure/result-csv.ts';
import type { ApprovalResult, ReleasedResults } from '../../disclosure/release.ts';
import { InvalidInputError, TaxgateError } from '../../errors.ts';
import { describeFailures } from '../../intake/retries.ts';
import { signBatchEnvelope } from '../../intake/sign-batch.ts';
import type { SubmitResult } from '../../intake/submit.ts';
import type { OperatorView, Taxgate } from '../../app.ts';
import type { ExplanationView } from '../../review/review.ts';
import { common, withBackend, type Backend, type CommonOptions } from '../context.ts';
import { readInputFile, readJsonFile } from '../files.ts';
import { hint, printResult } from '../output.ts';

const WAITING_STATES = new Set(['received', 'validated']);

async function operatorView(b: Backend, id: string): Promise<OperatorView> {
  return b.kind === 'local'
    ? b.tg.operatorView(id)
    : (
        await b.client.request<OperatorView>(
          'GET',
          `/v1/operator/batches/${encodeURIComponent(id)}`,
        )
      ).body;
}

function summary(view: OperatorView): string {
  const counts: Record<string, number> = {};
  for (const i of view.items)
    counts[i.outcome ?? 'UNDECIDED'] = (counts[i.outcome ?? 'UNDECIDED'] ?? 0) + 1;
  return Object.entries(counts)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

/**
 * Validates and matches a batch in this process, with a bar per phase on a terminal:
 * a batch of many thousand items takes a while. Nothing is drawn with --json or
 * --quiet, or when stderr is not a terminal (logs stay clean, as for an import).
 * @example await processWithProgress(tg, 'bat_…', { json: false })
 */
export async function processWithProgress(
  tg: Taxgate,
  batchId: string,
  opts: { json?: boolean; quiet?: boolean },
  stream: NodeJS.WriteStream = process.stderr,
): Promise<void> {
  // Another worker on the same PostgreSQL database may hold the batch: say why we wait.
  const onWaiting = (message: string) => {
    if (!opts.json && !opts.quiet) stream.write(`${message}; waiting for it\n`);
  };
  if (opts.json || opts.quiet || !stream.isTTY) return tg.processBatch(batchId, { onWaiting });
  const bar = new SingleBar(
    {
      format: '{phase} |{bar}| {percentage}% | {value}/{total} items | {eta_formatted} left',
      stream,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  let phase: string | null = null;
  try {
    await tg.processBatch(batchId, {
      onWaiting,
      onProgress: (p, done, total) => {
        const label = p === 'validate' ? 'validating' : 'matching';
        if (phase === label) return bar.update(done);
        if (phase) bar.stop();
        bar.start(total, done, { phase: label });
        phase = label;
      },
    });
  } finally {
    if (phase) bar.stop();
  }
}

export function registerBatch(program: Command): void {
  const batch = program.command('batch').description('request batches');

  batch
    .command('sign')
    .argument(
      '<file>',
      'batch envelope JSON {agreement_id, signed_by, submitted_at, items}, or a JSON array of items with --agreement',
    )
    .description(
      "the requesting agency's tool: sign a batch envelope as a compact JWS with an official's private key",
    )
    .requiredOption('--official <id>', 'the signing official (becomes signed_by)')
    .requiredOption('--key <file>', "the official's .private.jwk")
    .requiredOption('--out <file>', 'where to write the .jws')
    .option('--agreement <id>', 'agreement id when the file does not name one')
    .option('--json', 'print one JSON object on stdout')
    .action(
      async (
        file: string,
        opts: { official: string; key: string; out: string; agreement?: string; json?: boolean },
      ) => {
        // An empty id would sign a batch nobody can be held to (the server refuses it late).
        if (!opts.official.trim())
          throw new InvalidInputError(
            'ENVELOPE_INVALID',
            '--official is empty: give the id (off_…) the official was registered with',
          );
        const doc = await readJsonFile(file);
        const envelope: Record<string, unknown> = Array.isArray(doc)
          ? { items: doc }
          : { ...(doc as Record<string, unknown>) };
        if (!doc || typeof doc !== 'object')
          throw new InvalidInputError(
            'ENVELOPE_INVALID',
            `${file} must hold an envelope object or an array of items`,
          );
        if (opts.agreement) {
          if (envelope.agreement_id && envelope.agreement_id !== opts.agreement)
            throw new InvalidInputError(
              'ENVELOPE_INVALID',
              `${file} names agreement ${String(envelope.agreement_id)}, not ${opts.agreement}`,
            );
          envelope.agreement_id = opts.agreement;
        }
        if (typeof envelope.agreement_id !== 'string' || !envelope.agreement_id.trim())
          throw new InvalidInputError(
            'ENVELOPE_INVALID',
            `${file} names no agreement_id; add it or pass --agreement`,
          );
        if (envelope.signed_by !== undefined && envelope.signed_by !== opts.official)
          throw new InvalidInputError(
            'ENVELOPE_INVALID',
            `${file} is signed_by ${String(envelope.signed_by)}, not ${opts.official}`,
          );
        if (!Array.isArray(envelope.items))
          throw new InvalidInputError('ENVELOPE_INVALID', `${file} has no items array`);
        const ordered = {
          agreement_id: envelope.agreement_id,
          signed_by: opts.official,
          submitted_at: envelope.submitted_at ?? new Date().toISOString(),
          items: envelope.items,
        };
        const key = await importPrivateJwk(await readJwkFile(opts.key), opts.key);
        const jws = await signBatchEnvelope(ordered, key);
        await writeFile(opts.out, jws + '\n');
        printResult(
          opts,
          { out: opts.out, items: ordered.items.length, signed_by: opts.official },
          () => `signed ${ordered.items.length} items as ${opts.official}: ${opts.out}`,
        );
      },
    );

  common(
    batch
      .command('submit')
      .argument('<file>', 'signed batch (.jws compact, or flattened JWS JSON)'),
  )
    .description('submit a signed batch, through the same path as the HTTP API')
    .option('--wait', 'return after validation and matching')
    .action(async (file: string, opts: CommonOptions & { wait?: boolean }) => {
      const body = await readInputFile(file);
      const out = await withBackend(opts, async (b) => {
        let result: SubmitResult;
        if (b.kind === 'local') {
          result = await b.tg.submitBatch(body);
          if (opts.wait) await processWithProgress(b.tg, result.batch_id, opts);
        } else {
          const contentType = body.toString('utf8').trim().startsWith('{')
            ? 'application/jose+json'
            : 'application/jose';
          result = (
            await b.client.request<SubmitResult>('POST', '/v1/batches', { raw: body, contentType })
          ).body;
          if (opts.wait) {
            const deadline = Date.now() + 30 * 60_000;
            let failures = 0;
            let failed = '';
            for (;;) {
              const { state, processing } = await operatorView(b, result.batch_id);
              if (!WAITING_STATES.has(state)) break;
              // A server older than migration 0011 gives no `processing`.
              if (processing && processing.failed_attempts > failures) {
                failures = processing.failed_attempts;
                failed = describeFailures(processing, false);
                hint(opts, describeFailures(processing, true));
              }
              if (Date.now() > deadline)
                throw new TaxgateError(
                  'WAIT_TIMEOUT',
                  `batch ${result.batch_id} is still being processed after 30 minutes` +
                    (failed ? ` (${failed})` : ''),
                );
              await new Promise((r) => setTimeout(r, 250));
            }
          }
        }
        const view = opts.wait ? await operatorView(b, result.batch_id) : null;
        if (!opts.wait && b.kind === 'local' && !result.duplicate)
          hint(
            opts,
            'queued: the batch is validated and matched when `taxgate serve` runs (or submit with --wait)',
          );
        return { ...result, state: view?.state ?? result.state, view };
      });
      printResult(
        opts,
        { batch_id: out.batch_id, state: out.state, duplicate: out.duplicate },
        () =>
          [
            `batch ${out.batch_id}: ${out.state}${out.duplicate ? ' (this envelope was submitted before)' : ''}`,
            ...(out.view ? [summary(out.view)] : []),
          ].join('\n'),
      );
    });

  common(batch.command('show').argument('<id>', 'batch id'), { actor: false })
    .description('operator view: every item with its proposed outcome and reason codes')
    .action(async (id: string, opts: CommonOptions) => {
      const view = await withBackend(opts, (b) => operatorView(b, id));
      const out = {
        batch_id: view.batch_id,
        state: view.state,
        agreement_id: view.agreement_id,
        item_count: view.item_count,
        rejection_code: view.rejection_code,
        processing: view.processing,
        items: view.items,
      };
      const failed = describeFailures(view.processing, WAITING_STATES.has(view.state));
      printResult(opts, out, () =>
        [
          `batch ${view.batch_id}: ${view.state}${view.rejection_code ? ` (${view.rejection_code})` : ''}, ${view.item_count} items${view.items.length ? ` — ${summary(view)}` : ''}`,
          ...(failed ? [`  ${failed}`] : []),
          ...view.items.map(
            (i) =>
              `  ${(i.request_id ?? '(no request id)').padEnd(24)} ${(i.outcome ?? 'undecided').padEnd(20)} ${i.reasons.join(' ')}`,
          ),
        ].join('\n'),
      );
    });

  common(batch.command('approve').argument('<id>', 'batch id'))
    .description(
      "approve a matched batch; the agreement's last required approval releases its signed result document",
    )
    .action(async (id: string, opts: CommonOptions) => {
      const out = await withBackend(opts, async (b) =>
        b.kind === 'local'
          ? b.tg.approve(id, b.actor)
          : (
              await b.client.request<ApprovalResult>(
                'POST',
                `/v1/operator/batches/${encodeURIComponent(id)}/approve`,
              )
            ).body,
      );
      printResult(opts, out, () =>
        out.state === 'released'
          ? `batch ${out.batch_id} released at ${out.released_at}`
          : `batch ${out.batch_id}: approval ${out.approvals} of ${out.approvals_required} recorded; another approver must approve it`,
      );
    });

  common(batch.command('clear-flag').argument('<id>', 'batch id'))
    .description(
      "clear a batch's review flags (over-attestation) after looking into them, so it can be released",
    )
    .requiredOption('--note <text>', 'what was checked and found (recorded; no taxpayer data)')
    .action(async (id: string, opts: CommonOptions & { note: string }) => {
      const flags = await withBackend(opts, async (b) =>
        b.kind === 'local'
          ? b.tg.clearReviewFlags(id, opts.note, b.actor)
          : (
              await b.client.request<{ flags: ReviewFlagView[] }>(
                'POST',
                `/v1/operator/batches/${encodeURIComponent(id)}/flags/clear`,
                { json: { note: opts.note } },
              )
            ).body.flags,
      );
      printResult(opts, { flags }, () => `cleared ${flags.map((f) => f.code).join(', ')} on ${id}`);
    });

  common(batch.command('results').argument('<id>', 'batch id'))
    .description('the released result document: {document, jws, log} as JSON, or CSV')
    .addOption(
      new Option('--format <format>', 'output format').choices(['json', 'csv']).default('json'),
    )
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (id: string, opts: CommonOptions & { format: 'json' | 'csv'; out?: string }) => {
      const results = await withBackend(opts, async (b) =>
        b.kind === 'local'
          ? b.tg.results(id, b.actor)
          : (
              await b.client.request<ReleasedResults>(
                'GET',
                `/v1/operator/batches/${encodeURIComponent(id)}/results`,
              )
            ).body,
      );
      const text =
        opts.format === 'csv'
          ? resultsToCsv(results.document)
          : JSON.stringify(results, null, opts.json ? undefined : 2) + '\n';
      if (opts.out) {
        await writeFile(opts.out, text);
        printResult(
          opts,
          { out: opts.out, items: results.document.items.length },
          () => `wrote ${opts.out}`,
        );
      } else {
        process.stdout.write(text);
      }
    });

  common(
    batch
      .command('review')
      .argument('<id>', 'batch id')
      .argument('<request_id>', 'request id of the item'),
  )
    .description(
      'decide an item the engine left for review; the batch can be approved once none is left',
    )
    .addOption(
      new Option('--decision <decision>', 'the decision')
        .choices(['confirmed', 'not-confirmed'])
        .makeOptionMandatory(),
    )
    .action(
      async (
        id: string,
        requestId: string,
        opts: CommonOptions & { decision: 'confirmed' | 'not-confirmed' },
      ) => {
        const decision = opts.decision === 'confirmed' ? 'CONFIRMED' : 'NOT_CONFIRMED';
        const out = await withBackend(opts, async (b) =>
          b.kind === 'local'
            ? b.tg.review(id, requestId, decision, b.actor)
            : (
                await b.client.request<{
                  batch_id: string;
                  request_id: string;
                  outcome: string;
                  batch_state: string;
                }>(
                  'POST',
                  `/v1/operator/batches/${encodeURIComponent(id)}/items/${encodeURIComponent(requestId)}/review`,
                  { json: { decision } },
                )
              ).body,
        );
        printResult(
          opts,
          out,
          () => `${out.request_id}: ${out.outcome}; batch ${out.batch_id} is ${out.batch_state}`,
        );
      },
    );

  common(
    batch
      .command('explain')
      .argument('<id>', 'batch id')
      .argument('<request_id>', 'request id of the item'),
  )
    .description(
      "the engine's waterfall for one item: each candidate's comparison levels and weights (the view is recorded)",
    )
    .action(async (id: string, requestId: string, opts: CommonOptions) => {
      const view = await withBackend(opts, async (b) =>
        b.kind === 'local'
          ? b.tg.explain(id, requestId, b.actor)
          : (
              await b.client.request<ExplanationView>(
                'GET',
                `/v1/operator/batches/${encodeURIComponent(id)}/items/${encodeURIComponent(requestId)}/explanation`,
              )
            ).body,
      );
      printResult(opts, view, () => formatExplanation(view));
    });
}

type Waterfall = {
  reasons?: string[];
  candidates?: {
    rank: number;
    probability: number;
    weight: number;
    swapped: boolean;
    parts: { field: string; level: string; weight: number }[];
  }[];
};

/** The waterfall as text: one block per candidate, one line per field. */
function formatExplanation(view: ExplanationView): string {
  const e = view.explanation as Waterfall;
  const lines = [
    `${view.request_id}: ${view.outcome ?? 'undecided'} (model ${view.model_version})${e.reasons?.length ? ` — ${e.reasons.join(', ')}` : ''}`,
  ];
  if (!e.candidates?.length) lines.push('  no candidate shared a blocking key');
  for (const c of e.candidates ?? []) {
    lines.push(
      `  candidate ${c.rank}: weight ${c.weight.toFixed(2)}, probability ${c.probability.toFixed(6)}${c.swapped ? ' (names swapped)' : ''}`,
    );
    const prior = c.weight - c.parts.reduce((sum, p) => sum + p.weight, 0);
    lines.push(
      `    ${'prior'.padEnd(9)} ${'log2(λ/(1−λ))'.padEnd(28)} ${prior >= 0 ? '+' : ''}${prior.toFixed(2)}`,
    );
    for (const p of c.parts)
      lines.push(
        `    ${p.field.padEnd(9)} ${p.level.padEnd(28)} ${p.weight >= 0 ? '+' : ''}${p.weight.toFixed(2)}`,
      );
  }
  return lines.join('\n');
}
