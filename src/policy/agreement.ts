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

/**
 * The agreement file (docs/formats.md#agreement). A file with only these fields
 * is valid; unknown fields are refused so that a misspelt one is not silently
 * ignored. Later fields will be optional with documented defaults.
 */
export const AgreementSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - (max 64)'),
    requesting_agency: z.string().trim().min(1).max(200),
    effective_from: IsoDate,
    expires_at: IsoDate,
    statutes: z.array(z.string().trim().min(1).max(200)).min(1),
    signatory_roles: z.array(z.string().trim().min(1).max(100)).min(1),
    departure_period_days: z.number().int().min(0).max(3650),
    max_batch_items: z.number().int().min(1).max(5_000_000),
    duplicate_window_days: z.number().int().min(0).max(3650),
    retention_days: z.number().int().min(1).max(36500),
    release_approvals: z.number().int().min(1).max(5),
  })
  .refine((a) => a.expires_at > a.effective_from, {
    message: 'expires_at must be after effective_from',
    path: ['expires_at'],
  });

export type Agreement = z.infer<typeof AgreementSchema>;

/** An agreement as stored: the document plus its version number. */
export interface AgreementVersion extends Agreement {
  version: number;
}

/** Whether the agreement is in force on a calendar day (YYYY-MM-DD, UTC). */
export function isActiveOn(a: Agreement, day: string): boolean {
  return a.effective_from <= day && day <= a.expires_at;
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
