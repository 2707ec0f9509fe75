import { Readable } from 'node:stream';
import type { Taxgate } from '../../src/app.ts';
import { TaxgateError } from '../../src/errors.ts';
import type { Agreement } from '../../src/policy/agreement.ts';
import { TAXPAYER_COLUMNS } from '../../src/taxpayers/taxpayer-row.ts';

/** Agreement fields a test may override: the format-2 document's, and any extra (to test refusals). */
type AgreementOverrides = Partial<Agreement> & Record<string, unknown>;
import { generateEd25519KeyPair, importPrivateJwk } from '../../src/auth/keys.ts';
import { addDays } from '../../src/policy/item-rules.ts';

/** Today as YYYY-MM-DD (UTC). */
export const today = () => new Date().toISOString().slice(0, 10);

/**
 * A valid format-2 agreement in force today, safeguards in order, no renewal; override
 * any field. `buildAgreementV1` gives the format-1 document of before.
 */
export function buildAgreement(over: AgreementOverrides = {}): Agreement & { format: 2 } {
  const effective_from = (over.effective_from as string | undefined) ?? addDays(today(), -30);
  const expires_at = (over.expires_at as string | undefined) ?? addDays(today(), 300);
  return {
    format: 2,
    id: 'ice-2026',
    requesting_agency: 'DHS/ICE',
    effective_from,
    expires_at,
    statutes: ['8 USC 1253(a)(1)(A)'],
    signatory_roles: [
      { role: 'agency_head', valid_from: effective_from, valid_to: expires_at, delegation: null },
    ],
    departure_period_days: 90,
    max_batch_items: 1000,
    duplicate_window_days: 180,
    retention_days: 365,
    release_approvals: 1,
    renewal: null,
    recipients: ['Officer A. Example', 'Officer B. Example'],
    monthly_item_cap: 100_000,
    safeguards: {
      ssr_approved_on: addDays(today(), -100),
      ssr_valid_until: addDays(today(), 265),
      corrective_actions: [],
    },
    attestation_review_threshold: null,
    ...over,
  } as Agreement & { format: 2 };
}

/** The format-1 agreement document (before issue 4 step 1). */
export function buildAgreementV1(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'ice-2026',
    requesting_agency: 'DHS/ICE',
    effective_from: addDays(today(), -30),
    expires_at: addDays(today(), 300),
    statutes: ['8 USC 1253(a)(1)(A)'],
    signatory_roles: ['agency_head'],
    departure_period_days: 90,
    max_batch_items: 1000,
    duplicate_window_days: 180,
    retention_days: 365,
    release_approvals: 1,
    ...over,
  };
}

let counter = 0;

/** A lawful, complete request item; override any field (set one to undefined to drop it). */
export function buildItem(over: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    request_id: `req-${counter}`,
    first_name: 'Maria',
    middle_name: '',
    last_name: 'Garcia',
    street: '123 Main St',
    unit: '',
    city: 'Houston',
    state: 'TX',
    zip: '77001',
    // One A-number per built item: the A-number identifies a subject across batches.
    a_number: `A${200000000 + counter}`,
    removal_order_date: addDays(today(), -200),
    removal_order_case_number: 'CASE-1',
    taxable_periods: [2023, 2024],
    statute: '8 USC 1253(a)(1)(A)',
    reason: 'Subject of removal order; locating for enforcement of final order in case CASE-1',
    investigation_id: 'INV-1',
    recipients: ['Officer A. Example'],
    ...over,
  };
}

/** A fresh official key pair with the private key imported. */
export async function buildOfficialKeys() {
  const pair = await generateEd25519KeyPair();
  return { ...pair, privateKey: await importPrivateJwk(pair.privateJwk, 'test key') };
}

/**
 * Registers an agency head of an agreement with fresh keys: the official a test signs
 * batches as. @example const { id, keys } = await addTestOfficial(tg)
 */
export async function addTestOfficial(
  tg: Pick<Taxgate, 'addOfficial'>,
  agreementId = 'ice-2026',
  actor = 'test',
) {
  const keys = await buildOfficialKeys();
  const { id } = await tg.addOfficial(
    { agreement_id: agreementId, name: 'A. Head', role: 'agency_head', public_jwk: keys.publicJwk },
    actor,
  );
  return { id, keys };
}

/**
 * The code of the TaxgateError a promise rejects with, or null when it resolves.
 * @example expect(await codeOf(tg.approve(id, 'a'))).toBe('BATCH_NOT_MATCHED')
 */
export async function codeOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (err) {
    if (!(err instanceof TaxgateError)) throw err;
    return err.code;
  }
}

export { signBatchEnvelope as signEnvelope } from '../../src/intake/sign-batch.ts';

export function envelope(
  agreementId: string,
  officialId: string,
  items: unknown[],
): Record<string, unknown> {
  return {
    agreement_id: agreementId,
    signed_by: officialId,
    submitted_at: new Date().toISOString(),
    items,
  };
}

/** The taxpayer buildItem() asks about, as a 2024 return (TAXPAYER_COLUMNS order). */
export const MARIA_RETURN: readonly string[] = [
  '000000001',
  '2024',
  'Maria',
  '',
  'Garcia',
  '123 Main Street',
  '',
  'Houston',
  'TX',
  '77001',
  '1980-01-01',
];

/** Return rows as the CSV `taxpayers import` reads (header first). */
export function returnsCsv(rows: readonly (readonly string[])[]): Readable {
  return Readable.from([
    [TAXPAYER_COLUMNS.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n',
  ]);
}
