import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { ConflictError, InvalidInputError, NotFoundError } from '../errors.ts';
import { newId } from '../ids.ts';
import { insertOutcomes, storableRequestId, type OutcomeRow } from '../intake/batches.store.ts';
import { appendEvents } from '../ledger/events.store.ts';
import type { Database } from '../storage/schema.ts';
import { findAgreement } from './agreements.store.ts';
import {
  activeBatchHolds,
  activeSubjectHolds,
  findHold,
  findSameActiveHold,
  addSubjectHashes,
  insertHold,
  listHolds,
  lockHoldsExclusive,
  lockHoldsShared,
  markLifted,
  suspendOutcomes,
  type HoldRow,
} from './holds.store.ts';
import { subjectHashes, type SubjectHasher } from './subject-identity.ts';

/**
 * Suspensions and holds (issue 4 §5, DESIGN.md §Lifecycle, ADR 0007): a court order
 * stops disclosures under an agreement, for a requesting agency, or about one subject.
 *
 * Where a hold takes effect, all at once:
 * - submission: a new batch under a held agreement or agency is refused as a whole
 *   (`AGREEMENT_SUSPENDED`, `AGENCY_SUSPENDED`, src/intake/submit.ts);
 * - matching: each page's held items get `SUSPENDED` and are not matched, so no
 *   taxpayer row is read for them (`suspendHeldItems`);
 * - release: inside the release transaction, under the holds lock, every item about to
 *   be disclosed (`CONFIRMED`, `NOT_CONFIRMED`) that a hold now covers becomes
 *   `SUSPENDED` (`suspendAtRelease`), so matching in flight never releases a held item.
 * Lifting a hold changes no outcome already given: a `SUSPENDED` item is asked again in
 * a new batch.
 */

// Court order references and reasons are typed by staff; refuse control and markup
// characters rather than store or log them.
const PLAIN = /^[^\p{Cc}\p{Cf}<>]*$/u;
const CourtOrder = z
  .string()
  .trim()
  .min(1, 'the court order reference is required')
  .max(200)
  .regex(PLAIN, 'no control or markup characters');
const Reason = z.string().trim().min(1, 'a reason is required').max(2000).regex(PLAIN);
const Text = z.string().max(200).regex(PLAIN);

const SubjectSchema = z.strictObject({
  first_name: Text.optional(),
  last_name: Text.optional(),
  street: Text.optional(),
  city: Text.optional(),
  state: Text.optional(),
  zip: Text.optional(),
  a_number: Text.optional(),
});

/** The body of `POST /v1/admin/holds` and of `taxgate suspend` (docs/api.md#holds). */
export const HoldRequestSchema = z.discriminatedUnion('scope', [
  z.strictObject({
    scope: z.literal('agreement'),
    agreement_id: z.string().min(1).max(64),
    court_order: CourtOrder,
    reason: Reason,
  }),
  z.strictObject({
    scope: z.literal('agency'),
    agency: z.string().trim().min(1).max(200),
    court_order: CourtOrder,
    reason: Reason,
  }),
  z.strictObject({
    scope: z.literal('subject'),
    subject: SubjectSchema,
    court_order: CourtOrder,
    reason: Reason,
  }),
]);
export type HoldRequest = z.infer<typeof HoldRequestSchema>;

export const ResumeRequestSchema = z.strictObject({ court_order: CourtOrder });

/** A hold as the API and CLI show it: no subject in clear, only how many identifiers. */
export interface HoldView {
  id: string;
  scope: 'agreement' | 'agency' | 'subject';
  target: string | null;
  subject_identifiers: number;
  court_order: string;
  reason: string;
  placed_by: string;
  placed_at: string;
  lifted_by: string | null;
  lifted_at: string | null;
  lift_court_order: string | null;
}

export function holdView(h: HoldRow): HoldView {
  return {
    id: h.id,
    scope: h.scope,
    target: h.target,
    subject_identifiers: h.subject_hashes.length,
    court_order: h.court_order,
    reason: h.reason,
    placed_by: h.placed_by,
    placed_at: new Date(h.placed_at).toISOString(),
    lifted_by: h.lifted_by,
    lifted_at: h.lifted_at ? new Date(h.lifted_at).toISOString() : null,
    lift_court_order: h.lift_court_order,
  };
}

function parse<T>(schema: z.ZodType<T>, input: unknown, code: string, what: string): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  // Messages name the field and the rule, never the value (it may be a subject's data).
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
  throw new InvalidInputError(code, `${what} is invalid:\n  - ${problems.join('\n  - ')}`, {
    problems,
  });
}

/**
 * Places a hold and records `hold.placed` in the same transaction. It applies from the
 * moment it commits; a release in progress finishes first (holds lock).
 * @throws InvalidInputError HOLD_INVALID, HOLD_SUBJECT_UNIDENTIFIED
 * @throws NotFoundError AGREEMENT_NOT_FOUND, AGENCY_NOT_FOUND
 * @throws ConflictError HOLD_EXISTS (the same order already holds the same target)
 * @example await placeHold(db, { scope: 'agreement', agreement_id: 'ice-2026', court_order: '1:25-cv-01234', reason: 'TRO' }, 'operator:ann', hash)
 */
export async function placeHold(
  db: Kysely<Database>,
  input: unknown,
  actor: string,
  hash: SubjectHasher,
): Promise<HoldView> {
  const req = parse(HoldRequestSchema, input, 'HOLD_INVALID', 'the hold');
  let target: string | null = null;
  let hashes: string[] = [];
  if (req.scope === 'agreement') {
    if (!(await findAgreement(db, req.agreement_id)))
      throw new NotFoundError('AGREEMENT_NOT_FOUND', `no agreement ${req.agreement_id}`);
    target = req.agreement_id;
  } else if (req.scope === 'agency') {
    const known = await db
      .selectFrom('agreements')
      .select('id')
      .where('requesting_agency', '=', req.agency)
      .executeTakeFirst();
    if (!known)
      throw new NotFoundError(
        'AGENCY_NOT_FOUND',
        `no agreement names the requesting agency '${req.agency}'`,
      );
    target = req.agency;
  } else {
    hashes = subjectHashes(req.subject, hash);
    if (hashes.length === 0)
      throw new InvalidInputError(
        'HOLD_SUBJECT_UNIDENTIFIED',
        'a subject is identified by first_name, last_name, street (house number and street name) and zip or city and state, or by a_number (7 to 9 digits)',
      );
  }
  return db.transaction().execute(async (trx) => {
    await lockHoldsExclusive(trx);
    const same = await findSameActiveHold(trx, {
      scope: req.scope,
      target,
      subject_hashes: hashes,
      court_order: req.court_order,
    });
    // The same subject under the same order again, with identifiers the hold lacks: a
    // hold placed before names were also identified as matching reads them (person:v2,
    // ADR 0007) gains them, as only whoever has the order's text can give them.
    const added = same ? hashes.filter((h) => !same.subject_hashes.includes(h)) : [];
    if (same && req.scope === 'subject' && added.length > 0) {
      const amended = await addSubjectHashes(trx, same.id, added);
      await appendEvents(trx, [
        {
          type: 'hold.amended',
          actor,
          payload: {
            hold_id: same.id,
            scope: same.scope,
            added_subject_hashes: added,
            court_order_sha256: courtOrderDigest(same.court_order),
          },
        },
      ]);
      return holdView(amended);
    }
    if (same)
      throw new ConflictError(
        'HOLD_EXISTS',
        `hold ${same.id} already holds this ${req.scope} under the same court order`,
        { hold_id: same.id },
      );
    const row = await insertHold(trx, {
      id: newId('hld'),
      scope: req.scope,
      target,
      subject_hashes: hashes,
      court_order: req.court_order,
      reason: req.reason,
      placed_by: actor,
    });
    // The reason and the court order's reference are typed by staff and can name a
    // person (a case title names its parties): they stay in the holds table, and the
    // ledger gets the ids, the keyed hashes and a digest of the reference, which
    // whoever holds the order can check.
    await appendEvents(trx, [
      {
        type: 'hold.placed',
        actor,
        payload: {
          hold_id: row.id,
          scope: row.scope,
          ...(target !== null ? { target } : { subject_hashes: hashes }),
          court_order_sha256: courtOrderDigest(row.court_order),
        },
      },
    ]);
    return holdView(row);
  });
}

/**
 * Lifts a hold under the court order that ends it, with `hold.lifted` in the same
 * transaction. Batches refused or items suspended while it held stay as they are.
 * @throws NotFoundError HOLD_NOT_FOUND
 * @throws ConflictError HOLD_ALREADY_LIFTED
 */
export async function liftHold(
  db: Kysely<Database>,
  holdId: string,
  input: unknown,
  actor: string,
): Promise<HoldView> {
  const { court_order } = parse(ResumeRequestSchema, input, 'HOLD_INVALID', 'the resume');
  return db.transaction().execute(async (trx) => {
    await lockHoldsExclusive(trx);
    const hold = await findHold(trx, holdId);
    if (!hold) throw new NotFoundError('HOLD_NOT_FOUND', `no hold ${holdId}`);
    if (!(await markLifted(trx, holdId, actor, court_order))) {
      throw new ConflictError(
        'HOLD_ALREADY_LIFTED',
        `hold ${holdId} was lifted at ${new Date(hold.lifted_at!).toISOString()}`,
      );
    }
    await appendEvents(trx, [
      {
        type: 'hold.lifted',
        actor,
        payload: {
          hold_id: holdId,
          scope: hold.scope,
          court_order_sha256: courtOrderDigest(court_order),
        },
      },
    ]);
    return holdView((await findHold(trx, holdId))!);
  });
}

/**
 * SHA-256 (base64url) of a court order's reference as typed: what the ledger keeps of it.
 * @example courtOrderDigest('1:26-cv-00042 (D.D.C.)')
 */
export function courtOrderDigest(reference: string): string {
  return createHash('sha256').update(reference, 'utf8').digest('base64url');
}

/** Holds for the admin API and CLI. */
export async function listHoldViews(
  db: Kysely<Database>,
  opts: { includeLifted?: boolean } = {},
): Promise<HoldView[]> {
  return (await listHolds(db, opts)).map(holdView);
}

/**
 * The first active hold that refuses a new batch under this agreement, or null.
 * @example const h = await batchHold(db, 'ice-2026', 'DHS/ICE')
 */
export async function batchHold(
  db: Kysely<Database> | Transaction<Database>,
  agreementId: string,
  agency: string,
): Promise<HoldRow | null> {
  return (await activeBatchHolds(db, agreementId, agency))[0] ?? null;
}

/** What the screens need to know of a batch. */
export interface HeldBatch {
  id: string;
  agreement_id: string | null;
  requesting_agency: string | null;
  rule_set_version: string;
}

/**
 * Finds the items of a batch that an active hold covers: all of them under an agreement
 * or agency hold, else those a subject hold names. Returns position → hold ids.
 */
async function heldItems(
  trx: Transaction<Database>,
  batch: HeldBatch,
  items: { position: number; item: unknown }[],
  hash: SubjectHasher,
): Promise<Map<number, string[]>> {
  const held = new Map<number, string[]>();
  if (items.length === 0) return held;
  const batchHolds = await activeBatchHolds(
    trx,
    batch.agreement_id ?? '',
    batch.requesting_agency ?? '',
  );
  if (batchHolds.length > 0) {
    const ids = batchHolds.map((h) => h.id);
    for (const { position } of items) held.set(position, ids);
    return held;
  }
  // Hashing every subject costs more than the page's other checks together: only
  // when some subject is held at all (there are usually none).
  if (!(await anySubjectHold(trx))) return held;
  const hashesOf = new Map<number, string[]>();
  for (const { position, item } of items) {
    if (item && typeof item === 'object') hashesOf.set(position, subjectHashes(item, hash));
  }
  const holds = await activeSubjectHolds(trx, [...new Set([...hashesOf.values()].flat())]);
  if (holds.length === 0) return held;
  for (const [position, hashes] of hashesOf) {
    const ids = holds
      .filter((h) => h.subject_hashes.some((s) => hashes.includes(s)))
      .map((h) => h.id);
    if (ids.length > 0) held.set(position, ids);
  }
  return held;
}

/** Whether any subject hold is in force (read under the holds lock, like the holds). */
async function anySubjectHold(trx: Transaction<Database>): Promise<boolean> {
  const row = await trx
    .selectFrom('holds')
    .select('id')
    .where('scope', '=', 'subject')
    .where('lifted_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

function suspendedEvent(batchId: string, phase: 'match' | 'release', held: Map<number, string[]>) {
  const positions = [...held.keys()].sort((a, b) => a - b);
  return {
    type: 'items.suspended',
    actor: 'system:holds',
    batchId,
    payload: {
      phase,
      items: positions.length,
      first_position: positions[0]!,
      last_position: positions[positions.length - 1]!,
      hold_ids: [...new Set([...held.values()].flat())].sort(),
    },
  };
}

/**
 * Gives the held items of a page of a batch being matched the outcome `SUSPENDED`, with
 * an `items.suspended` event, inside the page's transaction; returns their positions so
 * that they are not matched (no taxpayer row is read for them).
 * @example const held = await suspendHeldItems(trx, batch, page, hash); matchPage(trx, items.filter((i) => !held.has(i.position)), …)
 */
export async function suspendHeldItems(
  trx: Transaction<Database>,
  batch: HeldBatch,
  page: { position: number; item: unknown }[],
  hash: SubjectHasher,
): Promise<Set<number>> {
  await lockHoldsShared(trx);
  const held = await heldItems(trx, batch, page, hash);
  if (held.size === 0) return new Set();
  const requestIds = new Map(page.map((p) => [p.position, storableRequestId(p.item)]));
  const written = await insertOutcomes(
    trx,
    batch.id,
    [...held.keys()].map((position) => ({
      position,
      request_id: requestIds.get(position) ?? null,
      outcome: 'SUSPENDED',
      reasons: ['HOLD_APPLIED'],
      rule_set_version: batch.rule_set_version,
      model_version: null,
    })),
  );
  if (written.length > 0) {
    const mine = new Map(written.map((w) => [w.position, held.get(w.position)!]));
    await appendEvents(trx, [suspendedEvent(batch.id, 'match', mine)]);
  }
  return new Set(held.keys());
}

/**
 * The release's last look, inside its transaction and under the holds lock: every item
 * about to be disclosed that a hold now covers becomes `SUSPENDED` (with an
 * `items.suspended` event) before the document is built. Returns the outcomes to release.
 * `readItems` gives the stored request items of the positions asked (for subject holds).
 */
export async function suspendAtRelease(
  trx: Transaction<Database>,
  batch: HeldBatch,
  outcomes: OutcomeRow[],
  readItems: (positions: number[]) => Promise<{ position: number; item: unknown }[]>,
  hash: SubjectHasher,
): Promise<OutcomeRow[]> {
  await lockHoldsShared(trx);
  const disclosing = outcomes.filter(
    (o) => o.outcome === 'CONFIRMED' || o.outcome === 'NOT_CONFIRMED',
  );
  if (disclosing.length === 0) return outcomes;
  const batchHolds = await activeBatchHolds(
    trx,
    batch.agreement_id ?? '',
    batch.requesting_agency ?? '',
  );
  if (batchHolds.length === 0 && !(await anySubjectHold(trx))) return outcomes;
  const items =
    batchHolds.length > 0
      ? disclosing.map((o) => ({ position: o.position, item: null }))
      : await readItems(disclosing.map((o) => o.position));
  const held = await heldItems(trx, batch, items, hash);
  if (held.size === 0) return outcomes;
  await suspendOutcomes(trx, batch.id, [...held.keys()]);
  await appendEvents(trx, [suspendedEvent(batch.id, 'release', held)]);
  return outcomes.map((o) =>
    held.has(o.position)
      ? { ...o, outcome: 'SUSPENDED', reasons: ['HOLD_APPLIED', ...o.reasons] }
      : o,
  );
}
