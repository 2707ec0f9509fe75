import { z } from 'zod';

const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) &&
      new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    'is not a calendar date',
  );
const Name = z.string().trim().min(1).max(200);
const Ref = z.string().trim().min(1).max(500);

/** Longest first term of an agreement, and of its one renewal, in calendar months. */
export const MAX_TERM_MONTHS = 18;
export const MAX_RENEWAL_MONTHS = 12;

const common = {
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - (max 64)'),
  requesting_agency: z.string().trim().min(1).max(200),
  effective_from: IsoDate,
  expires_at: IsoDate,
  statutes: z.array(z.string().trim().min(1).max(200)).min(1),
  departure_period_days: z.number().int().min(0).max(3650),
  max_batch_items: z.number().int().min(1).max(5_000_000),
  duplicate_window_days: z.number().int().min(0).max(3650),
  retention_days: z.number().int().min(1).max(36500),
  release_approvals: z.number().int().min(1).max(5),
};

/** Format 1 (before issue 4 step 1): roles as bare names; still accepted and stored as given. */
const AgreementV1Schema = z.strictObject({
  format: z.literal(1).optional(),
  ...common,
  signatory_roles: z.array(z.string().trim().min(1).max(100)).min(1),
});

const Delegation = z.strictObject({
  /** Who delegated the authority to sign (e.g. "agency_head"). */
  delegated_by: Name,
  /** Where the written delegation is: a document reference, never the document itself. */
  evidence: Ref,
  valid_from: IsoDate,
  valid_to: IsoDate,
});

const SignatoryRole = z.strictObject({
  role: z.string().trim().min(1).max(100),
  valid_from: IsoDate,
  valid_to: IsoDate,
  delegation: Delegation.nullable().default(null),
});

const Certification = z.strictObject({
  party: z.enum(['requesting_agency', 'tax_agency']),
  certified_by: Name,
  certified_on: IsoDate,
  evidence: Ref,
});

const Renewal = z.strictObject({
  expires_at: IsoDate,
  certifications: z.array(Certification).length(2, 'both parties certify compliance'),
});

const Safeguards = z.strictObject({
  /** Approval date of the recipient's Safeguard Security Report (IRS Publication 1075). */
  ssr_approved_on: IsoDate,
  /** Last day the approved SSR is current. */
  ssr_valid_until: IsoDate,
  corrective_actions: z
    .array(
      z.strictObject({
        id: z.string().trim().min(1).max(100),
        due_on: IsoDate,
        closed_on: IsoDate.nullable().default(null),
      }),
    )
    .max(500)
    .default([]),
});

/** Format 2 (docs/formats.md#agreement): issue 4 step 1. */
const AgreementV2Schema = z.strictObject({
  format: z.literal(2),
  ...common,
  signatory_roles: z.array(SignatoryRole).min(1),
  renewal: Renewal.nullable().default(null),
  recipients: z.array(Name).min(1).max(1000),
  monthly_item_cap: z.number().int().min(1).max(100_000_000),
  safeguards: Safeguards,
  /** Attestations (distinct investigations across open batches) per official before review; null: no flag. */
  attestation_review_threshold: z.number().int().min(1).max(10_000_000).nullable().default(null),
});

/** YYYY-MM-DD plus n calendar months, clamped to the month's last day (31 Jan + 1 → 28/29 Feb). */
export function addMonths(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + n, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

/**
 * The agreement file (docs/formats.md#agreement): format 2, or format 1 as before.
 * Unknown fields are refused so that a misspelt one is not silently ignored.
 */
export const AgreementSchema = z
  .union([AgreementV2Schema, AgreementV1Schema])
  .superRefine((a, ctx) => {
    if (a.expires_at <= a.effective_from) {
      ctx.addIssue({
        code: 'custom',
        message: 'expires_at must be after effective_from',
        path: ['expires_at'],
      });
    }
    if (a.expires_at > addMonths(a.effective_from, MAX_TERM_MONTHS)) {
      ctx.addIssue({
        code: 'custom',
        message: `an agreement runs at most ${MAX_TERM_MONTHS} months from effective_from (until ${addMonths(a.effective_from, MAX_TERM_MONTHS)}); extend it with its one renewal`,
        path: ['expires_at'],
      });
    }
    if (a.format !== 2) return;
    if (a.renewal) {
      if (a.renewal.expires_at <= a.expires_at) {
        ctx.addIssue({
          code: 'custom',
          message: 'the renewal must end after expires_at',
          path: ['renewal', 'expires_at'],
        });
      }
      if (a.renewal.expires_at > addMonths(a.expires_at, MAX_RENEWAL_MONTHS)) {
        ctx.addIssue({
          code: 'custom',
          message: `the renewal runs at most ${MAX_RENEWAL_MONTHS} months after expires_at`,
          path: ['renewal', 'expires_at'],
        });
      }
      const parties = new Set(a.renewal.certifications.map((c) => c.party));
      if (parties.size !== 2) {
        ctx.addIssue({
          code: 'custom',
          message: 'one compliance certification from each party (requesting_agency, tax_agency)',
          path: ['renewal', 'certifications'],
        });
      }
      a.renewal.certifications.forEach((c, i) => {
        if (c.certified_on > a.expires_at) {
          ctx.addIssue({
            code: 'custom',
            message: 'a renewal is certified before the agreement expires',
            path: ['renewal', 'certifications', i, 'certified_on'],
          });
        }
      });
    }
    a.signatory_roles.forEach((r, i) => {
      if (r.valid_to < r.valid_from)
        ctx.addIssue({
          code: 'custom',
          message: 'valid_to is before valid_from',
          path: ['signatory_roles', i, 'valid_to'],
        });
      if (r.delegation && r.delegation.valid_to < r.delegation.valid_from)
        ctx.addIssue({
          code: 'custom',
          message: 'valid_to is before valid_from',
          path: ['signatory_roles', i, 'delegation', 'valid_to'],
        });
    });
    if (a.safeguards.ssr_valid_until < a.safeguards.ssr_approved_on) {
      ctx.addIssue({
        code: 'custom',
        message: 'ssr_valid_until is before ssr_approved_on',
        path: ['safeguards', 'ssr_valid_until'],
      });
    }
  });

/** An agreement document as applied (format 1 or 2). */
export type AgreementDocument = z.output<typeof AgreementSchema>;
export type SignatoryRole = z.output<typeof SignatoryRole>;
export type Safeguards = z.output<typeof Safeguards>;

/**
 * An agreement as the rules read it, whatever format it was applied in. What format 1
 * does not say is null and read the safe way: no monthly cap and no recipient list are
 * enforced (as before), but no safeguards record means disclosures are blocked.
 */
export interface Agreement extends Omit<
  z.output<typeof AgreementV2Schema>,
  'format' | 'recipients' | 'monthly_item_cap' | 'safeguards'
> {
  format: 1 | 2;
  recipients: string[] | null;
  monthly_item_cap: number | null;
  safeguards: Safeguards | null;
}

/** An agreement as stored: the document plus its version number. */
export interface AgreementVersion extends Agreement {
  version: number;
}

/**
 * Reads a stored or parsed agreement document as the rules see it (format 1 → 2 with
 * nulls; roles of format 1 valid for the whole term, without delegation).
 */
export function readAgreement(doc: AgreementDocument): Agreement {
  if (doc.format === 2) return doc;
  return {
    ...doc,
    format: 1,
    signatory_roles: doc.signatory_roles.map((role) => ({
      role,
      valid_from: doc.effective_from,
      valid_to: doc.expires_at,
      delegation: null,
    })),
    renewal: null,
    recipients: null,
    monthly_item_cap: null,
    safeguards: null,
    attestation_review_threshold: null,
  };
}

/** The last day in force: the renewal's end when renewed. */
export function lastDayInForce(a: Pick<Agreement, 'expires_at' | 'renewal'>): string {
  return a.renewal?.expires_at ?? a.expires_at;
}

/** Whether the agreement is in force on a calendar day (YYYY-MM-DD, UTC), renewal included. */
export function isActiveOn(
  a: Pick<Agreement, 'effective_from' | 'expires_at' | 'renewal'>,
  day: string,
): boolean {
  return a.effective_from <= day && day <= lastDayInForce(a);
}

/** The role names of the agreement. */
export function roleNames(a: Pick<Agreement, 'signatory_roles'>): string[] {
  return [...new Set(a.signatory_roles.map((r) => r.role))];
}

/**
 * Whether `role` may sign on `day`: some entry for it is in its window and, when it
 * holds a delegation, the delegation is in its window too.
 */
export function roleMaySignOn(
  a: Pick<Agreement, 'signatory_roles'>,
  role: string,
  day: string,
): boolean {
  return a.signatory_roles.some(
    (r) =>
      r.role === role &&
      r.valid_from <= day &&
      day <= r.valid_to &&
      (!r.delegation || (r.delegation.valid_from <= day && day <= r.delegation.valid_to)),
  );
}

/**
 * Why the recipient's safeguards are not in order on `day`, or null when they are:
 * no record (format 1), SSR not yet approved or no longer current, or a corrective
 * action past its due date and not closed by then.
 */
export function safeguardsProblem(a: Pick<Agreement, 'safeguards'>, day: string): string | null {
  const s = a.safeguards;
  if (!s) return 'the agreement records no safeguards status (apply it in format 2)';
  if (day < s.ssr_approved_on)
    return `the Safeguard Security Report is approved only from ${s.ssr_approved_on}`;
  if (day > s.ssr_valid_until)
    return `the Safeguard Security Report was current until ${s.ssr_valid_until}`;
  const overdue = s.corrective_actions.filter(
    (c) => c.due_on < day && (c.closed_on === null || c.closed_on > day),
  );
  if (overdue.length > 0)
    return `corrective action${overdue.length > 1 ? 's' : ''} ${overdue.map((c) => c.id).join(', ')} overdue`;
  return null;
}

/** Normalises statute citations for comparison: case, spaces and "U.S.C." spellings. */
export function statuteKey(s: string): string {
  return s
    .toUpperCase()
    .replace(/U\.?\s*S\.?\s*C\.?/g, 'USC')
    .replace(/§/g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*\(\s*/g, '(')
    .replace(/\s*\)\s*/g, ')')
    .trim();
}
