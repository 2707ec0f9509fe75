import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { z } from 'zod';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import { newId } from '../ids.ts';
import { appendEvents } from '../ledger/events.store.ts';
import type { Database } from '../storage/schema.ts';
import { isCalendarDate } from './item-rules.ts';

/**
 * Recall (issue 4 §7): when a rule set or matching model turns out to be wrong, or
 * everything released in a period is in doubt, list every disclosure it affects,
 * record the notice to each recipient (requesting agency), and later the recipient's
 * certificate that it disposed of them.
 *
 * A disclosure is an item released as CONFIRMED or NOT_CONFIRMED: the only results
 * that say anything about a taxpayer. The notice names batches, positions and
 * outcomes only — never request or taxpayer data.
 */

const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine(isCalendarDate, 'must be a day of the calendar');
const Version = z.string().trim().min(1).max(100);

/** Exactly one criterion: a rule set version, a model version, or a release period. */
export const RecallCriteriaSchema = z.union([
  z.strictObject({ rule_version: Version }),
  z.strictObject({ model_version: Version }),
  z
    .strictObject({ from: IsoDate, to: IsoDate })
    .refine((c) => c.from <= c.to, { message: 'from must not be after to', path: ['to'] }),
]);
export type RecallCriteria = z.infer<typeof RecallCriteriaSchema>;

export interface RecalledBatch {
  batch_id: string;
  agreement_id: string;
  released_at: string;
  /** The recalled items: position in the batch and the result released. */
  items: { position: number; outcome: string }[];
}

/** One recipient's recall: the notice recorded, and later its disposal certificate. */
export interface RecallView {
  id: string | null;
  agency: string;
  criteria: RecallCriteria;
  disclosures: number;
  batches: RecalledBatch[];
  noticed_at: string | null;
  noticed_by: string | null;
  certificate: null | {
    sha256: string;
    bytes: number;
    filename: string;
    certified_at: string;
    certified_by: string;
  };
}

function criteria(input: unknown): RecallCriteria {
  const r = RecallCriteriaSchema.safeParse(input);
  if (r.success) return r.data;
  throw new InvalidInputError(
    'RECALL_CRITERIA_INVALID',
    'give exactly one of: rule_version, model_version, or from and to (YYYY-MM-DD, from ≤ to)',
    { problems: r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) },
  );
}

/** Every released disclosure the criteria cover, grouped by recipient and batch. */
async function affected(
  db: Kysely<Database>,
  c: RecallCriteria,
): Promise<Map<string, RecalledBatch[]>> {
  const filter =
    'rule_version' in c
      ? sql`o.rule_set_version = ${c.rule_version}`
      : 'model_version' in c
        ? sql`o.model_version = ${c.model_version}`
        : sql`b.released_at >= ${`${c.from}T00:00:00Z`}::timestamptz
              and b.released_at < ${`${c.to}T00:00:00Z`}::timestamptz + interval '1 day'`;
  const { rows } = await sql<{
    batch_id: string;
    agreement_id: string;
    agency: string;
    released_at: Date | string;
    position: number;
    outcome: string;
  }>`
    select b.id as batch_id, b.agreement_id, b.requesting_agency as agency, b.released_at,
           o.position, o.outcome
      from item_outcomes o join batches b on b.id = o.batch_id
     where b.state = 'released' and o.outcome in ('CONFIRMED', 'NOT_CONFIRMED') and ${filter}
     order by b.requesting_agency, b.released_at, b.id, o.position`.execute(db);
  const byAgency = new Map<string, RecalledBatch[]>();
  for (const r of rows) {
    const list = byAgency.get(r.agency) ?? [];
    let batch = list.at(-1);
    if (!batch || batch.batch_id !== r.batch_id) {
      batch = {
        batch_id: r.batch_id,
        agreement_id: r.agreement_id,
        released_at: new Date(r.released_at).toISOString(),
        items: [],
      };
      list.push(batch);
    }
    batch.items.push({ position: r.position, outcome: r.outcome });
    byAgency.set(r.agency, list);
  }
  return byAgency;
}

const count = (batches: RecalledBatch[]) => batches.reduce((n, b) => n + b.items.length, 0);

/**
 * Lists the disclosures the criteria cover and, unless `dryRun`, records one recall per
 * recipient agency — its notice (the listing) with a `recall.noticed` event, in one
 * transaction. Nothing affected: an empty list, nothing recorded.
 * @throws InvalidInputError RECALL_CRITERIA_INVALID
 * @example await createRecalls(db, { rule_version: 'rules-2026.11.1' }, { dryRun: false, actor })
 */
export async function createRecalls(
  db: Kysely<Database>,
  input: unknown,
  opts: { dryRun: boolean; actor: string },
): Promise<RecallView[]> {
  const c = criteria(input);
  const byAgency = await affected(db, c);
  const views: RecallView[] = [...byAgency].map(([agency, batches]) => ({
    id: null,
    agency,
    criteria: c,
    disclosures: count(batches),
    batches,
    noticed_at: null,
    noticed_by: null,
    certificate: null,
  }));
  if (opts.dryRun || views.length === 0) return views;
  return db.transaction().execute(async (trx) => {
    const out: RecallView[] = [];
    for (const v of views) {
      const id = newId('rcl');
      const row = await trx
        .insertInto('recalls')
        .values({
          id,
          agency: v.agency,
          criteria: JSON.stringify(c),
          notice: JSON.stringify(v.batches),
          disclosures: v.disclosures,
          noticed_by: opts.actor,
        })
        .returning('noticed_at')
        .executeTakeFirstOrThrow();
      await appendEvents(trx, [
        {
          type: 'recall.noticed',
          actor: opts.actor,
          payload: {
            recall_id: id,
            agency: v.agency,
            criteria: c,
            batches: v.batches.length,
            disclosures: v.disclosures,
            // The notice itself is in the recalls table; its digest binds it to the log.
            notice_sha256: createHash('sha256').update(JSON.stringify(v.batches)).digest('hex'),
          },
        },
      ]);
      out.push({
        ...v,
        id,
        noticed_at: new Date(row.noticed_at).toISOString(),
        noticed_by: opts.actor,
      });
    }
    return out;
  });
}

type RecallRow = Awaited<ReturnType<typeof findRecallRow>>;

async function findRecallRow(db: Kysely<Database> | Transaction<Database>, id: string) {
  return db
    .selectFrom('recalls')
    .select([
      'id',
      'agency',
      'criteria',
      'notice',
      'disclosures',
      'noticed_at',
      'noticed_by',
      'certificate_sha256',
      'certificate_bytes',
      'certificate_filename',
      'certified_at',
      'certified_by',
    ])
    .where('id', '=', id)
    .executeTakeFirst();
}

function recallView(r: NonNullable<RecallRow>): RecallView {
  return {
    id: r.id,
    agency: r.agency,
    criteria: r.criteria as RecallCriteria,
    disclosures: r.disclosures,
    batches: r.notice as unknown as RecalledBatch[],
    noticed_at: new Date(r.noticed_at).toISOString(),
    noticed_by: r.noticed_by,
    certificate: r.certificate_sha256
      ? {
          sha256: r.certificate_sha256,
          bytes: r.certificate_bytes!,
          filename: r.certificate_filename!,
          certified_at: new Date(r.certified_at!).toISOString(),
          certified_by: r.certified_by!,
        }
      : null,
  };
}

/** A recorded recall with its notice and certificate. @throws NotFoundError RECALL_NOT_FOUND */
export async function getRecall(db: Kysely<Database>, id: string): Promise<RecallView> {
  const row = await findRecallRow(db, id);
  if (!row) throw new NotFoundError('RECALL_NOT_FOUND', `no recall ${id}`);
  return recallView(row);
}

/** Largest disposal certificate kept (bytes). */
export const MAX_CERTIFICATE_BYTES = 10 * 1024 * 1024;

/**
 * Records the recipient's disposal certificate for a recall: the file itself, its
 * SHA-256 and a `recall.certified` event, in one transaction. Once only.
 * @throws NotFoundError RECALL_NOT_FOUND
 * @throws ConflictError RECALL_ALREADY_CERTIFIED
 * @throws InvalidInputError CERTIFICATE_INVALID (empty, too large, no file name)
 */
export async function certifyRecall(
  db: Kysely<Database>,
  id: string,
  certificate: { bytes: Uint8Array; filename: string },
  actor: string,
): Promise<RecallView> {
  const filename = certificate.filename.replace(/^.*[\\/]/, '').slice(0, 200);
  if (certificate.bytes.length === 0 || certificate.bytes.length > MAX_CERTIFICATE_BYTES) {
    throw new InvalidInputError(
      'CERTIFICATE_INVALID',
      `a certificate is 1 byte to ${MAX_CERTIFICATE_BYTES} bytes`,
    );
  }
  if (!filename || /[\p{Cc}\p{Cf}<>]/u.test(filename)) {
    throw new InvalidInputError('CERTIFICATE_INVALID', 'the certificate needs a plain file name');
  }
  const sha256 = createHash('sha256').update(certificate.bytes).digest('hex');
  return db.transaction().execute(async (trx) => {
    const r = await trx
      .updateTable('recalls')
      .set({
        certificate: Buffer.from(certificate.bytes),
        certificate_sha256: sha256,
        certificate_bytes: certificate.bytes.length,
        certificate_filename: filename,
        certified_at: sql`now()`,
        certified_by: actor,
      })
      .where('id', '=', id)
      .where('certified_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) {
      const existing = await findRecallRow(trx, id);
      if (!existing) throw new NotFoundError('RECALL_NOT_FOUND', `no recall ${id}`);
      throw new ConflictError(
        'RECALL_ALREADY_CERTIFIED',
        `recall ${id} was certified at ${new Date(existing.certified_at!).toISOString()}`,
      );
    }
    await appendEvents(trx, [
      {
        type: 'recall.certified',
        actor,
        payload: { recall_id: id, certificate_sha256: sha256, bytes: certificate.bytes.length },
      },
    ]);
    return recallView((await findRecallRow(trx, id))!);
  });
}
