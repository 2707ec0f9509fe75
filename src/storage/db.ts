import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import * as initial from './migrations/0001-initial.ts';
import * as matchingEngine from './migrations/0002-matching-engine.ts';
import * as itemsAsText from './migrations/0003-items-as-text.ts';
import * as ledger from './migrations/0004-ledger.ts';
import * as checkpointsAccounting from './migrations/0005-checkpoints-accounting.ts';
import * as clientAssertionReplay from './migrations/0007-client-assertion-replay.ts';
import * as batchApprovals from './migrations/0008-batch-approvals.ts';
import * as matchingWrites from './migrations/0009-matching-writes.ts';
import * as evidencePages from './migrations/0010-evidence-pages.ts';
import * as batchRetries from './migrations/0011-batch-retries.ts';
import * as unitKeys from './migrations/0012-unit-keys.ts';
import * as unitsTheLineNames from './migrations/0013-units-the-line-names.ts';
import * as namesCareOfAndUnits from './migrations/0014-names-care-of-and-units.ts';
import * as personFieldsAndDashes from './migrations/0015-person-fields-and-dashes.ts';
import * as policy from './migrations/0006-policy.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

/** Where the database lives: the embedded PGlite folder, or a PostgreSQL server. */
export type DatabaseTarget = { kind: 'pglite'; dir: string } | { kind: 'postgres'; url: string };

export interface OpenDatabase {
  db: Kysely<Database>;
  target: DatabaseTarget;
  close(): Promise<void>;
}

// DATE columns come back as 'YYYY-MM-DD' strings on both databases, not shifted Dates.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
// int8 (bigserial, count(*)) as strings; callers convert where they know it is small.

/** Opens the database; does not migrate. @example await openDatabase({ kind: 'pglite', dir }) */
export async function openDatabase(target: DatabaseTarget): Promise<OpenDatabase> {
  if (target.kind === 'pglite') {
    await mkdir(target.dir, { recursive: true });
    const pglite = await PGlite.create(target.dir, {
      parsers: { 1082: (v: string) => v },
    });
    const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
    return {
      db,
      target,
      close: async () => {
        await db.destroy();
        await pglite.close();
      },
    };
  }
  const pool = new pg.Pool({ connectionString: target.url, max: 8 });
  // An idle connection the server ends (restart, failover, a dropped database)
  // errors outside any query; the pool replaces it. Unhandled, it would crash us.
  pool.on('error', (err: Error & { code?: string }) => {
    if (err.code !== '57P01')
      process.stderr.write(`taxgate: idle database connection lost (${err.code ?? err.name})\n`);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, target, close: () => db.destroy() };
}

/** The PGlite folder inside a taxgate data folder. */
export function pgliteDir(dataDir: string): string {
  return join(dataDir, 'pgdata');
}

const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-matching-engine': matchingEngine,
  '0003-items-as-text': itemsAsText,
  '0004-ledger': ledger,
  '0005-checkpoints-accounting': checkpointsAccounting,
  '0006-policy': policy,
  '0007-client-assertion-replay': clientAssertionReplay,
  '0008-batch-approvals': batchApprovals,
  '0009-matching-writes': matchingWrites,
  '0010-evidence-pages': evidencePages,
  '0011-batch-retries': batchRetries,
  '0012-unit-keys': unitKeys,
  '0013-units-the-line-names': unitsTheLineNames,
  '0014-names-care-of-and-units': namesCareOfAndUnits,
  '0015-person-fields-and-dashes': personFieldsAndDashes,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export interface MigrationReport {
  applied: string[];
  current: string[];
}

/** Brings the schema to the latest version; idempotent. Throws on the first failure. */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationReport> {
  return migrate(db, (m) => m.migrateToLatest());
}

/**
 * Brings the schema up to and including one named migration: tests of a migration's
 * data path write rows in the schema before it. @example await migrateUpTo(db, '0008-batch-approvals')
 */
export async function migrateUpTo(db: Kysely<Database>, name: string): Promise<MigrationReport> {
  if (!(name in migrations)) throw new Error(`no migration ${name}`);
  return migrate(db, (m) => m.migrateTo(name));
}

async function migrate(
  db: Kysely<Database>,
  run: (migrator: Migrator) => ReturnType<Migrator['migrateToLatest']>,
): Promise<MigrationReport> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
  const { error, results = [] } = await run(migrator);
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${String(error)}`);
  }
  return {
    applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName),
    current: Object.keys(migrations),
  };
}

/**
 * Drops a database on a PostgreSQL server, ending any session still in it (the tests'
 * and the bench's scratch databases). `WITH (FORCE)` refuses outright (42501) when one
 * of those sessions is an autovacuum worker and the caller lacks pg_signal_backend:
 * the worker has no role the caller belongs to. Plain `DROP DATABASE` ends autovacuum
 * workers itself and waits a few seconds for other sessions to leave, so it is the
 * fallback (found when CI's autovacuum visited a test's database as it was dropped).
 * When that fails too, the error names both refusals.
 * @example await dropServerDatabase(process.env.DATABASE_URL!, 'taxgate_test_…')
 */
export async function dropServerDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const database = admin.escapeIdentifier(name);
    try {
      await admin.query(`drop database if exists ${database} with (force)`);
    } catch (forced) {
      if ((forced as { code?: string }).code !== '42501') throw forced;
      await admin.query(`drop database if exists ${database}`).catch((plain: Error) => {
        throw new Error(
          `cannot drop database ${name}: with FORCE, ${(forced as Error).message}; without, ${plain.message}`,
          { cause: plain },
        );
      });
    }
  } finally {
    await admin.end();
  }
}
