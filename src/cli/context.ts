import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { openTaxgate, type Taxgate } from '../app.ts';
import { loadConfig, type Config } from '../config.ts';
import { DataFolderBusyError } from '../errors.ts';
import { readServerAnnouncement } from '../storage/data-folder.ts';
import { ServerClient } from './remote.ts';

/** Options every command takes. */
export interface CommonOptions {
  data?: string;
  json?: boolean;
  actor?: string;
}

/** Adds --data and --json to a command, and --actor to those that record an actor. */
export function common(cmd: Command, opts: { actor?: boolean } = { actor: true }): Command {
  cmd
    .option('--data <dir>', 'data folder (default: $TAXGATE_DATA or ./.taxgate)')
    .option('--json', 'print one JSON object on stdout');
  if (opts.actor !== false) {
    cmd.option(
      '--actor <name>',
      'who is acting, recorded in the ledger (default: your login name)',
    );
  }
  return cmd;
}

export function configFor(opts: CommonOptions): Config {
  return loadConfig(process.env, opts.data ? { dataDir: opts.data } : {});
}

export function actorName(opts: CommonOptions): string {
  return (opts.actor ?? userInfo().username).replace(/[^\w.@-]/g, '').slice(0, 64) || 'unnamed';
}

/** Where a command runs: on the database itself, or through the server that holds it. */
export type Backend =
  | { kind: 'local'; tg: Taxgate; actor: string }
  | { kind: 'remote'; client: ServerClient; actor: string };

/**
 * Opens the database for a command, or — when a taxgate server holds the PGlite
 * folder — returns a client for that server's API. Never opens a held folder.
 */
export async function withBackend<T>(
  opts: CommonOptions,
  fn: (b: Backend) => Promise<T>,
): Promise<T> {
  const config = configFor(opts);
  const actor = `operator:${actorName(opts)}`;
  let tg: Taxgate;
  try {
    tg = await openTaxgate(config);
  } catch (err) {
    if (!(err instanceof DataFolderBusyError)) throw err;
    const server = await readServerAnnouncement(config.dataDir);
    if (!server) throw err;
    return fn({
      kind: 'remote',
      client: await ServerClient.forFolder(config.dataDir, server, actorName(opts)),
      actor,
    });
  }
  try {
    return await fn({ kind: 'local', tg, actor });
  } finally {
    await tg.close();
  }
}

/** Opens the database for a command that cannot go through the server. */
export async function withLocal<T>(
  opts: CommonOptions,
  what: string,
  fn: (tg: Taxgate, actor: string) => Promise<T>,
): Promise<T> {
  return withBackend(opts, async (b) => {
    if (b.kind === 'remote') {
      throw new DataFolderBusyError(
        'DATA_FOLDER_BUSY',
        `${what} needs the data folder itself, and the taxgate server at ${b.client.server.url} (pid ${b.client.server.pid}) holds it. Stop the server (Ctrl-C), run this again, then start it.`,
        { server_url: b.client.server.url, pid: b.client.server.pid },
      );
    }
    return fn(b.tg, b.actor);
  });
}
