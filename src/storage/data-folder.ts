import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { DataFolderBusyError } from '../errors.ts';

/**
 * The exclusive hold a process has on a taxgate data folder.
 *
 * PGlite keeps the whole database in one process's memory: two processes on one
 * folder silently overwrite each other's writes (DESIGN.md §Storage). So whoever
 * opens the folder locks it first; the lock is refreshed while held and goes
 * stale a minute after a crash. A server also leaves `server.json` so that
 * other commands can reach it over HTTP instead of opening the folder.
 */
export interface DataFolderLock {
  release(): Promise<void>;
}

/** What a running server publishes in its data folder. */
export interface ServerAnnouncement {
  pid: number;
  url: string;
  started_at: string;
}

const LOCK_NAME = 'taxgate.lock';
/** A holder that has not refreshed the lock for this long is taken to have crashed. */
const STALE_MS = 60_000;
const SERVER_FILE = 'server.json';

/**
 * Takes the folder or throws DataFolderBusyError naming who holds it.
 * @example const lock = await lockDataFolder('./.taxgate')
 */
export async function lockDataFolder(dataDir: string): Promise<DataFolderLock> {
  await mkdir(dataDir, { recursive: true });
  try {
    const release = await lockfile.lock(dataDir, {
      lockfilePath: join(dataDir, LOCK_NAME),
      // PGlite runs queries on this thread: a long one (an index over millions of
      // rows) must not make our own lock look abandoned.
      stale: STALE_MS,
      update: 5_000,
      retries: 0,
      realpath: false,
      onCompromised: (err) => {
        // Another process took the folder from us: continuing would lose writes.
        console.error(`taxgate: lost the lock on ${dataDir} (${err.message}); stopping`);
        process.exit(1);
      },
    });
    return { release };
  } catch (err) {
    if ((err as { code?: string }).code !== 'ELOCKED') throw err;
    const server = await readServerAnnouncement(dataDir);
    const holder = server
      ? `the taxgate server at ${server.url} (pid ${server.pid})`
      : 'another taxgate process (if it crashed, its lock expires within a minute)';
    throw new DataFolderBusyError(
      'DATA_FOLDER_BUSY',
      `the data folder ${dataDir} is in use by ${holder}. ` +
        `Stop it first, or run this command while it serves so it goes through its API.`,
      { data_dir: dataDir, ...(server ? { server_url: server.url, pid: server.pid } : {}) },
    );
  }
}

export async function readServerAnnouncement(dataDir: string): Promise<ServerAnnouncement | null> {
  try {
    return JSON.parse(await readFile(join(dataDir, SERVER_FILE), 'utf8')) as ServerAnnouncement;
  } catch {
    return null;
  }
}

export async function announceServer(dataDir: string, a: ServerAnnouncement): Promise<void> {
  await writeFile(join(dataDir, SERVER_FILE), JSON.stringify(a, null, 2) + '\n', { mode: 0o600 });
}

export async function withdrawServerAnnouncement(dataDir: string): Promise<void> {
  await rm(join(dataDir, SERVER_FILE), { force: true });
}
