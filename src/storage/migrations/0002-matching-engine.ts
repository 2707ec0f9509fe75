import { sql, type Kysely } from 'kysely';
import { reindexAddressesOfRecord } from '../../matching/engine.store.ts';
import type { Database } from '../schema.ts';

/**
 * The matching engine's tables: each taxpayer's address-of-record features, the
 * blocking keys that find candidates (one row per key, so any number of keys per
 * taxpayer and, past one server, distribution by key), name frequencies for the
 * term-frequency adjustment, model parameters by version, and the explanation of
 * every proposed outcome.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('taxpayer_features')
    .addColumn('tin', 'text', (c) => c.primaryKey())
    .addColumn('tax_year', 'integer', (c) => c.notNull())
    .addColumn('features', 'jsonb', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('taxpayer_blocking_keys')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('tin', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('taxpayer_blocking_keys_pk', ['key', 'tin'])
    .execute();
  await db.schema
    .createIndex('taxpayer_blocking_keys_tin_idx')
    .on('taxpayer_blocking_keys')
    .column('tin')
    .execute();

  await db.schema
    .createTable('name_frequencies')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('frequency', 'double precision', (c) => c.notNull())
    .addPrimaryKeyConstraint('name_frequencies_pk', ['kind', 'value'])
    .execute();

  await db.schema
    .createTable('match_models')
    .addColumn('version', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('parameters', 'jsonb', (c) => c.notNull())
    .addColumn('training', 'jsonb', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('item_explanations')
    .addColumn('batch_id', 'text', (c) => c.notNull().references('batches.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('model_version', 'text', (c) => c.notNull())
    .addColumn('explanation', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('item_explanations_pk', ['batch_id', 'position'])
    .execute();

  // Index the addresses of record already in the store, then retire the exact
  // matcher's table.
  await reindexAddressesOfRecord(db as unknown as Kysely<Database>);
  await db.schema.dropTable('taxpayer_addresses').execute();
}

export async function down(): Promise<void> {
  throw new Error('taxgate migrations are forward-only');
}
