import type { Command } from 'commander';
import { openTaxgate, type Taxgate } from '../../app.ts';
import { TaxgateError } from '../../errors.ts';
import { describeFailures } from '../../intake/retries.ts';
import { startQueueWorker } from '../../intake/worker.ts';
import { startCheckpointTimer } from '../../ledger/publisher.ts';
import { buildServer } from '../../server/server.ts';
import { announceServer, withdrawServerAnnouncement } from '../../storage/data-folder.ts';
import { common, configFor, type CommonOptions } from '../context.ts';

export interface ServeOptions extends CommonOptions {
  port?: string;
  host?: string;
  /** Log level for the server; defaults to the configured one. */
  logLevel?: string;
}

/**
 * Starts the HTTP server and the queue worker on an opened Taxgate, announces it
 * in the data folder, and stops cleanly on SIGINT/SIGTERM. Resolves once listening.
 */
export async function startServing(
  tg: Taxgate,
  opts: ServeOptions,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const worker = startQueueWorker(
    () =>
      tg.drainQueue((f, err) => {
        // A taxgate error's message says what to fix and carries no taxpayer data; an
        // unexpected error's could echo what it was reading: its stack only on request.
        const known = err instanceof TaxgateError;
        process.stderr.write(
          `taxgate: batch ${f.batch_id}: ${describeFailures({ ...f, last_error: f.error }, true)}` +
            `${known ? ` (${err.message})` : ''}\n`,
        );
        if (!known && process.env.TAXGATE_DEBUG && err instanceof Error) {
          process.stderr.write(`${err.stack}\n`);
        }
      }),
    (err) => process.stderr.write(`taxgate: batch processing failed: ${(err as Error).message}\n`),
  );
  // Sign a checkpoint every few seconds while events arrive (docs/ledger.md §Checkpoints).
  const checkpoints = startCheckpointTimer(tg.ledger, tg.config.checkpointIntervalMs, (err) =>
    process.stderr.write(`taxgate: checkpoint not signed: ${(err as Error).message}\n`),
  );
  const app = await buildServer(tg, {
    worker,
    logger: { level: opts.logLevel ?? tg.config.logLevel },
  });
  const port = opts.port !== undefined ? Number(opts.port) : tg.config.port;
  const host = opts.host ?? tg.config.host;
  try {
    await app.listen({ port, host });
  } catch (err) {
    await worker.stop();
    await checkpoints.stop();
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE')
      throw new TaxgateError(
        'PORT_IN_USE',
        `port ${port} on ${host} is in use; pass --port or set TAXGATE_PORT`,
      );
    throw err;
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  await announceServer(tg.config.dataDir, {
    pid: process.pid,
    url,
    started_at: new Date().toISOString(),
  });
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await app.close();
      await worker.stop();
      await checkpoints.stop();
      await withdrawServerAnnouncement(tg.config.dataDir);
      await tg.close();
    })());
  const onSignal = () => {
    process.stderr.write('taxgate: stopping\n');
    void stop().then(() => process.exit(0));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { url, stop };
}

export function registerServe(program: Command): void {
  common(program.command('serve'), { actor: false })
    .description('run the HTTP API and the batch worker')
    .option('--port <port>', 'port (default: $TAXGATE_PORT or 8620; 0 picks a free one)')
    .option('--host <host>', 'interface (default: $TAXGATE_HOST or 127.0.0.1)')
    .action(async (opts: ServeOptions) => {
      const tg = await openTaxgate(configFor(opts));
      let url: string;
      try {
        ({ url } = await startServing(tg, opts));
      } catch (err) {
        await tg.close();
        throw err;
      }
      if (opts.json)
        process.stdout.write(
          JSON.stringify({
            url,
            pid: process.pid,
            data_dir: tg.config.dataDir,
            database: tg.target.kind,
          }) + '\n',
        );
      else
        process.stdout.write(`taxgate serving at ${url} (API docs ${url}/docs); Ctrl-C to stop\n`);
      // Keep running until a signal stops the server.
      await new Promise(() => {});
    });
}
