import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../storage/schema.ts';
import { appendEvents } from '../ledger/events.store.ts';
import { blockingKeys, personFeatures, type PersonRecord } from './features.ts';
import { foldText } from './normalize/text.ts';
import type { ModelParameters } from './scoring.ts';
import { DEFAULT_MODEL, EARLIER_DEFAULT_MODELS } from './model.ts';
import { COMPARISON_VERSION, type PersonFeatures } from './comparison.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Indexes taxpayers' addresses of record for the engine: features and blocking
 * keys, set-based for a whole chunk. A row replaces the indexed one only when its
 * tax year is at least as recent; a TIN's keys are rewritten only when its
 * features changed.
 */
export async function indexAddressesOfRecord(
  db: Db,
  rows: (PersonRecord & { tin: string; tax_year: number })[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const features = rows.map((r) => personFeatures(r));
  const written = await sql<{ tin: string }>`
    insert into taxpayer_features (tin, tax_year, features)
    select * from unnest(${rows.map((r) => r.tin)}::text[], ${rows.map((r) => r.tax_year)}::int[],
                         ${features.map((f) => JSON.stringify(f))}::json[])
    on conflict (tin) do update set tax_year = excluded.tax_year, features = excluded.features
    where excluded.tax_year >= taxpayer_features.tax_year
      and (taxpayer_features.tax_year <> excluded.tax_year
           -- json keeps text as written: rows migrated from jsonb are spaced and
           -- ordered differently, so compare as jsonb only when the text differs.
           or (taxpayer_features.features::text <> excluded.features::text
               and taxpayer_features.features::jsonb <> excluded.features::jsonb))
    returning tin`.execute(db);
  if (written.rows.length === 0) return 0;
  const changed = new Set(written.rows.map((r) => r.tin));
  const keyTins: string[] = [];
  const keys: string[] = [];
  rows.forEach((r, i) => {
    if (!changed.has(r.tin)) return;
    for (const k of blockingKeys(features[i]!)) {
      keyTins.push(r.tin);
      keys.push(k);
    }
  });
  await sql`delete from taxpayer_blocking_keys where tin = any(${[...changed]}::text[])`.execute(
    db,
  );
  await sql`
    insert into taxpayer_blocking_keys (key, tin)
    select distinct k, t from unnest(${keys}::text[], ${keyTins}::text[]) as x(k, t)`.execute(db);
  return changed.size;
}

/**
 * Rebuilds the index from the returns, page by page in TIN order (after a
 * change of normalisation: `taxgate taxpayers reindex`). Returns the TINs indexed.
 * `onlyChanged` rewrites only the TINs whose features came out different (a migration
 * after the parser changed: a store of millions is read, and only the few that changed
 * are written); otherwise every TIN is rewritten, keys included.
 */
export async function reindexAddressesOfRecord(
  db: Kysely<Database>,
  onProgress?: (tins: number) => void,
  opts: { onlyChanged?: boolean } = {},
): Promise<number> {
  let after = '';
  let total = 0;
  // A page reads its TINs' returns and writes their index under the import's lock, so
  // an import running at once cannot write between the two (a review found the older
  // address put back so). Inside a migration's transaction, that transaction holds it.
  const page = async (tx: Db): Promise<number> => {
    await lockTaxpayerIndex(tx);
    const rows = await latestReturnsAfter(tx, after);
    if (rows.length === 0) return 0;
    after = rows[rows.length - 1]!.tin;
    if (opts.onlyChanged) {
      // Compared here, not by the upsert: on PGlite comparing a million stored features
      // as jsonb took minutes for a store where few had changed.
      await indexAddressesOfRecord(tx, await changedAddresses(tx, rows));
    } else {
      // Force a rewrite: features may have changed with the normalisers.
      await sql`delete from taxpayer_features where tin = any(${rows.map((r) => r.tin)}::text[])`.execute(
        tx,
      );
      await indexAddressesOfRecord(tx, rows);
    }
    return rows.length;
  };
  for (;;) {
    const n = db.isTransaction ? await page(db) : await db.transaction().execute(page);
    if (n === 0) break;
    total += n;
    onProgress?.(total);
  }
  return total;
}

/**
 * Takes, until the transaction ends, the lock that lets one writer of taxpayers' index
 * at a time read returns and write the index: an import's chunk or a reindex's page.
 * Two at once on PostgreSQL each read back without the other's uncommitted returns.
 */
export async function lockTaxpayerIndex(trx: Db): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended('taxgate:taxpayers-import', 0))`.execute(
    trx,
  );
}

const REINDEX_PAGE = 6000;

type StoredReturn = PersonRecord & { tin: string; tax_year: number };

/**
 * Each TIN's address of record from its returns in (tin, tax_year) order: the latest
 * return, with the date of birth and the middle name of the most recent return that has
 * one where the latest has none. They belong to the person, not to the address: a
 * return that leaves them out says nothing new, and dropping them let a request for a
 * John M. Smith born 1985 confirm the John R. Smith born 1950 whose latest return left
 * both blank (the eighth hunt).
 */
export function addressesOfRecord(ascending: StoredReturn[]): StoredReturn[] {
  const latest = new Map<string, StoredReturn>();
  const dob = new Map<string, string>();
  // The second given names last written, in the middle-name field or after the first
  // given name in the first-name field ('John R'), with the first given name they came with.
  const middle = new Map<string, { first: string; rest: string }>();
  for (const r of ascending) {
    latest.set(r.tin, r);
    if (r.dob) dob.set(r.tin, r.dob);
    const [first = '', ...more] = r.first_name.trim().split(/\s+/);
    if (r.middle_name?.trim()) middle.set(r.tin, { first, rest: r.middle_name });
    else if (more.length > 0) middle.set(r.tin, { first, rest: more.join(' ') });
  }
  return [...latest.values()].map((r) => {
    const words = r.first_name.trim().split(/\s+/);
    const carried = middle.get(r.tin);
    const bare = !r.middle_name?.trim() && words.length === 1;
    return {
      ...r,
      dob: r.dob || (dob.get(r.tin) ?? null),
      middle_name:
        bare && carried && foldText(carried.first) === foldText(words[0]!)
          ? carried.rest
          : r.middle_name,
    };
  });
}

/** Every return of the given TINs, in (tin, tax_year) order. */
export async function returnsOf(db: Db, tins: string[]): Promise<StoredReturn[]> {
  const { rows } = await sql<StoredReturn>`
    select tin, tax_year, first_name, middle_name, last_name, street, unit, city, state, zip,
           to_char(dob, 'YYYY-MM-DD') as dob
      from taxpayer_returns where tin = any(${tins}::text[])
     order by tin, tax_year`.execute(db);
  return rows;
}

/**
 * The address of record of each of the next TINs after `after`, in TIN order. Read in the
 * primary key's order (tin, tax_year) and reduced here: `distinct on (tin) … order by
 * tin, tax_year desc` needs a sort, which PGlite, without statistics on the returns,
 * ran over every remaining return for each page (1.7 s a page at 1,000,000 returns,
 * against 60 ms). The last TIN of a full page may be cut short: it is left for the next.
 */
export async function latestReturnsAfter(
  db: Db,
  after: string,
  pageSize = REINDEX_PAGE,
): Promise<(PersonRecord & { tin: string; tax_year: number })[]> {
  const { rows } = await sql<PersonRecord & { tin: string; tax_year: number }>`
    select tin, tax_year, first_name, middle_name, last_name, street, unit, city, state, zip,
           to_char(dob, 'YYYY-MM-DD') as dob
      from taxpayer_returns where tin > ${after}
     order by tin, tax_year
     limit ${pageSize}`.execute(db);
  let complete = rows;
  if (rows.length === pageSize) {
    const cut = rows.findIndex((r) => r.tin === rows[rows.length - 1]!.tin);
    if (cut > 0) complete = rows.slice(0, cut);
  }
  return addressesOfRecord(complete);
}

/** The addresses of record whose stored features are missing, older or differ from today's. */
async function changedAddresses<R extends PersonRecord & { tin: string; tax_year: number }>(
  db: Db,
  rows: R[],
): Promise<R[]> {
  const stored = await sql<{ tin: string; tax_year: number; features: string }>`
    select tin, tax_year, features::text as features from taxpayer_features
     where tin = any(${rows.map((r) => r.tin)}::text[])`.execute(db);
  const byTin = new Map(stored.rows.map((r) => [r.tin, r]));
  return rows.filter((r) => {
    const s = byTin.get(r.tin);
    if (!s || s.tax_year < r.tax_year) return true;
    if (s.tax_year > r.tax_year) return false;
    const before = JSON.parse(s.features) as Record<string, unknown>;
    const now = personFeatures(r) as unknown as Record<string, unknown>;
    const keys = new Set([...Object.keys(before), ...Object.keys(now)]);
    return [...keys].some(
      (k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(now[k] ?? null),
    );
  });
}

/**
 * Vacuums and analyses the matching index after it changed in bulk: the visibility
 * map lets blocking probes be index-only (no heap visit per key) and fresh
 * statistics keep the planner from misjudging a page's join. Measured at
 * 1,000,000 returns on PGlite: a page's blocking 20 % faster, for 2.5 s once.
 * VACUUM cannot run in a transaction: call it after the import's last chunk.
 */
export async function tidyMatchingIndex(db: Kysely<Database>): Promise<void> {
  await sql`vacuum (analyze) taxpayer_blocking_keys, taxpayer_features`.execute(db);
}

/**
 * Keeps a match page's blocking statement in this one backend, for the rest of the
 * transaction. With a page's ten thousand keys PostgreSQL estimates the index probes
 * dearer than a parallel sequential scan of the key table, and plans that: three
 * processes for twice the time (`explain analyze` by hand at 1,000,000 returns: 160–200 ms against
 * 75–90 ms for the index-only scan), their CPU taken from the other lane's comparisons
 * on a two-core machine. PGlite has no parallel workers; the setting is then a no-op.
 */
export async function keepBlockingSerial(trx: Transaction<Database>): Promise<void> {
  await sql`set local max_parallel_workers_per_gather = 0`.execute(trx);
}

export interface CandidateRow {
  position: number;
  tin: string;
  features: PersonFeatures;
}

/**
 * Candidates for a whole page of requests in one statement: every taxpayer that
 * shares at least one blocking key with a request (a union of keys), each pair once,
 * in TIN order per request.
 */
export async function findCandidates(
  db: Db,
  requests: { position: number; keys: string[] }[],
): Promise<CandidateRow[]> {
  const keys = [...new Set(requests.flatMap((r) => r.keys))];
  if (keys.length === 0) return [];
  // The page's distinct keys in one array, probed as one index scan; then the features
  // of the distinct TINs found, again one index scan (an InitPlan array, so the planner
  // cannot turn it into a scan of the whole table). Requests and TINs are paired here:
  // a lateral probe per (request, key) and per pair cost twice as much, mostly in
  // executor rescans (measured on PGlite at 1,000,000 returns: 617 → 513 ms for 18,000
  // items). Both results come back as one text each, a line per row: per-row costs, not
  // bytes, dominate on PGlite (docs/scaling.md). Lines joined by string_agg, not JSON
  // built by json_agg(json_build_array(…)): the same rows for a fifth less time and as
  // fast to read here (by hand, a page of 5,000 at 1,000,000 returns: 94 → 76 ms on
  // PostgreSQL, 100 → 81 ms on PGlite; splitting and parsing 18–21 ms either way).
  // A key may hold spaces ('2615 1/2'), never a tab; a TIN is nine digits; stored
  // features are JSON text, which has no raw line break.
  const result = await sql<{ keyed: string | null; features: string | null }>`
    with b as (select key, tin from taxpayer_blocking_keys where key = any(${keys}::text[]))
    select (select string_agg(key || E'\t' || tin, E'\n') from b) as keyed,
           (select string_agg(tin || E'\t' || features::text, E'\n') from taxpayer_features
             where tin = any(array(select distinct tin from b))) as features`.execute(db);
  const row = result.rows[0];
  if (!row?.keyed || !row.features) return [];
  const tinsOfKey = new Map<string, string[]>();
  for (const line of row.keyed.split('\n')) {
    const tab = line.lastIndexOf('\t');
    const key = line.slice(0, tab);
    const tin = line.slice(tab + 1);
    const tins = tinsOfKey.get(key);
    if (tins) tins.push(tin);
    else tinsOfKey.set(key, [tin]);
  }
  const featuresOf = new Map<string, PersonFeatures>();
  for (const line of row.features.split('\n')) {
    const tab = line.indexOf('\t');
    featuresOf.set(line.slice(0, tab), JSON.parse(line.slice(tab + 1)) as PersonFeatures);
  }
  const candidates: CandidateRow[] = [];
  for (const { position, keys: mine } of requests) {
    const tins = new Set<string>();
    for (const key of mine) for (const tin of tinsOfKey.get(key) ?? []) tins.add(tin);
    for (const tin of [...tins].sort()) {
      const features = featuresOf.get(tin);
      if (features) candidates.push({ position, tin, features });
    }
  }
  return candidates;
}

/** Store frequencies of the given surname forms and given names (term-frequency adjustment). */
export async function nameFrequencies(
  db: Db,
  surnames: string[],
  givens: string[],
): Promise<{ surname: Map<string, number>; given: Map<string, number> }> {
  const out = { surname: new Map<string, number>(), given: new Map<string, number>() };
  if (surnames.length + givens.length === 0) return out;
  const rows = await sql<{ kind: 'surname' | 'given'; value: string; frequency: number }>`
    select kind, value, frequency from name_frequencies
     where (kind = 'surname' and value = any(${[...new Set(surnames)]}::text[]))
        or (kind = 'given' and value = any(${[...new Set(givens)]}::text[]))`.execute(db);
  for (const r of rows.rows) out[r.kind].set(r.value, Number(r.frequency));
  return out;
}

/** Recomputes name frequencies over every address of record. */
export async function refreshNameFrequencies(
  db: Db,
): Promise<{ surnames: number; givens: number }> {
  await sql`delete from name_frequencies`.execute(db);
  await sql`
    insert into name_frequencies (kind, value, frequency)
    select 'surname', k, count(*)::double precision / greatest(1, (select count(*) from taxpayer_features))
      from taxpayer_features, json_array_elements_text(features->'surnameKeys') as k
     group by k`.execute(db);
  await sql`
    insert into name_frequencies (kind, value, frequency)
    select 'given', features->'given'->>0, count(*)::double precision / greatest(1, (select count(*) from taxpayer_features))
      from taxpayer_features where features->'given'->>0 is not null
     group by features->'given'->>0`.execute(db);
  const counts = await sql<{
    kind: string;
    n: string;
  }>`select kind, count(*) as n from name_frequencies group by kind`.execute(db);
  const by = Object.fromEntries(counts.rows.map((r) => [r.kind, Number(r.n)]));
  return { surnames: by.surname ?? 0, givens: by.given ?? 0 };
}

/**
 * The model in force: the latest one trained for this version's comparison levels, or
 * the documented default. A model trained before the levels changed (COMPARISON_VERSION)
 * weighs levels that no longer mean the same: it is passed over until `taxgate model
 * train` makes a new one, so no outcome carries a version its levels do not match.
 */
export async function activeModel(db: Db): Promise<ModelParameters> {
  const row = await db
    .selectFrom('match_models')
    .select('parameters')
    .where(sql`coalesce((parameters->>'comparison')::int, 1)`, '=', COMPARISON_VERSION)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? (row.parameters as unknown as ModelParameters) : DEFAULT_MODEL;
}

/** The model of a recorded version (explanations are rebuilt with the model that scored them). */
export async function modelByVersion(db: Db, version: string): Promise<ModelParameters | null> {
  const builtIn = [DEFAULT_MODEL, ...EARLIER_DEFAULT_MODELS].find((m) => m.version === version);
  if (builtIn) return builtIn;
  const row = await db
    .selectFrom('match_models')
    .select('parameters')
    .where('version', '=', version)
    .executeTakeFirst();
  return row ? (row.parameters as unknown as ModelParameters) : null;
}

export async function saveModel(
  db: Kysely<Database>,
  parameters: ModelParameters,
  training: Record<string, unknown>,
  actor: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('match_models')
      .values({
        version: parameters.version,
        parameters: JSON.stringify(parameters),
        training: JSON.stringify(training),
      })
      .execute();
    // A new model changes future outcomes: recorded like any policy change.
    await appendEvents(trx, [{ type: 'model.trained', actor, payload: { ...training } }]);
  });
}
