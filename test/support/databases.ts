import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config.ts';
import { openTaxgate, type Taxgate } from '../../src/app.ts';
import { dropServerDatabase } from '../../src/storage/db.ts';

/**
 * The databases this run tests against: PGlite by default; the PostgreSQL server
 * named by DATABASE_URL when it is set (.ci/run runs the suite once each way).
 */
export type TestDatabaseKind = 'pglite' | 'postgres';
export const TEST_DATABASES: TestDatabaseKind[] = process.env.DATABASE_URL
  ? ['postgres']
  : ['pglite'];

export interface TestEnv {
  config: Config;
  dataDir: string;
  /** Environment for child processes (CLI, server) pointing at the same database. */
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

/** A fresh, empty database of the given kind and a fresh data folder. */
export async function freshTestEnv(kind: TestDatabaseKind): Promise<TestEnv> {
  const dataDir = await mkdtemp(join(tmpdir(), 'taxgate-test-'));
  let databaseUrl: string | undefined;
  let dropDatabase = async () => {};
  if (kind === 'postgres') {
    const adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) throw new Error('DATABASE_URL is required for PostgreSQL tests');
    const name = `taxgate_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = () => dropServerDatabase(adminUrl, name);
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TAXGATE_DATA: dataDir,
    TAXGATE_LOG_LEVEL: 'warn',
  };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  const config = loadConfig(env);
  return {
    config,
    dataDir,
    env,
    async cleanup() {
      await dropDatabase();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** An opened, migrated taxgate on a fresh database; close with `done()`. */
export async function openTestTaxgate(
  kind: TestDatabaseKind,
): Promise<{ tg: Taxgate; env: TestEnv; done(): Promise<void> }> {
  const env = await freshTestEnv(kind);
  const tg = await openTaxgate(env.config);
  return {
    tg,
    env,
    async done() {
      await tg.close();
      await env.cleanup();
    },
  };
}
