import { sql, type Kysely } from 'kysely';

/** The walking skeleton's schema: agreements, officials, batches, taxpayers, events. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('agreements')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('requesting_agency', 'text', (c) => c.notNull())
    .addColumn('document', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('agreements_pk', ['id', 'version'])
    .execute();

  await db.schema
    .createTable('officials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('agreement_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'jsonb', (c) => c.notNull())
    .addColumn('key_thumbprint', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('batches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('agreement_id', 'text')
    .addColumn('agreement_version', 'integer')
    .addColumn('official_id', 'text')
    .addColumn('requesting_agency', 'text')
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('rejection_code', 'text')
    .addColumn('envelope_sha256', 'text', (c) => c.notNull())
    .addColumn('item_count', 'integer', (c) => c.notNull())
    .addColumn('rule_set_version', 'text', (c) => c.notNull())
    .addColumn('approved_by', 'text')
    .addColumn('released_at', 'timestamptz')
    .addColumn('result_jws', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'timestamptz')
    .execute();
  await db.schema.createIndex('batches_state_idx').on('batches').column('state').execute();
  // The same signed envelope submitted twice is one batch (retries are safe).
  await sql`create unique index batches_envelope_uq on batches (envelope_sha256)
    where state <> 'rejected'`.execute(db);

  await db.schema
    .createTable('batch_items')
    .addColumn('batch_id', 'text', (c) => c.notNull().references('batches.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('item', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('batch_items_pk', ['batch_id', 'position'])
    .execute();

  await db.schema
    .createTable('item_outcomes')
    .addColumn('batch_id', 'text', (c) => c.notNull().references('batches.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('reasons', sql`text[]`, (c) => c.notNull())
    .addColumn('rule_set_version', 'text', (c) => c.notNull())
    .addColumn('model_version', 'text')
    .addColumn('decided_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('item_outcomes_pk', ['batch_id', 'position'])
    .execute();

  await db.schema
    .createTable('taxpayer_returns')
    .addColumn('tin', 'text', (c) => c.notNull())
    .addColumn('tax_year', 'integer', (c) => c.notNull())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('middle_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('street', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('city', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('zip', 'text', (c) => c.notNull())
    .addColumn('dob', 'date')
    .addPrimaryKeyConstraint('taxpayer_returns_pk', ['tin', 'tax_year'])
    .execute();

  // One row per TIN: the normalised address of record (latest tax year), the
  // table matching reads. Its keys lead with what blocking joins on.
  await db.schema
    .createTable('taxpayer_addresses')
    .addColumn('tin', 'text', (c) => c.primaryKey())
    .addColumn('tax_year', 'integer', (c) => c.notNull())
    .addColumn('first_key', 'text', (c) => c.notNull())
    .addColumn('last_key', 'text', (c) => c.notNull())
    .addColumn('street_key', 'text', (c) => c.notNull())
    .addColumn('unit_key', 'text', (c) => c.notNull())
    .addColumn('city_key', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('zip5', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('taxpayer_addresses_zip_idx')
    .on('taxpayer_addresses')
    .columns(['last_key', 'street_key', 'zip5'])
    .execute();
  await db.schema
    .createIndex('taxpayer_addresses_city_idx')
    .on('taxpayer_addresses')
    .columns(['last_key', 'street_key', 'state', 'city_key'])
    .execute();

  // Append-only: the trigger refuses every UPDATE, DELETE and TRUNCATE.
  await db.schema
    .createTable('events')
    .addColumn('seq', 'bigserial', (c) => c.primaryKey())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('batch_id', 'text')
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_batch_idx').on('events').column('batch_id').execute();
  await sql`
    create function events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'events is append-only: % refused', tg_op using errcode = 'P0001';
    end $$`.execute(db);
  await sql`create trigger events_no_update before update or delete on events
    for each row execute function events_append_only()`.execute(db);
  await sql`create trigger events_no_truncate before truncate on events
    for each statement execute function events_append_only()`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('taxgate migrations are forward-only');
}
