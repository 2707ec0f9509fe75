/**
 * The catalogue of item reason codes. Each is stable, documented in
 * docs/reason-codes.md (a test keeps the two in step), and belongs to the result
 * class it forces. Reasons of REJECTED_* results describe the request only.
 * Reasons of NOT_CONFIRMED are for operators and never released.
 */
export const RESULT_CODES = [
  'CONFIRMED',
  'NOT_CONFIRMED',
  'REJECTED_INCOMPLETE',
  'REJECTED_INELIGIBLE',
  'REJECTED_DUPLICATE',
  'SUSPENDED',
] as const;
export type ResultCode = (typeof RESULT_CODES)[number];

/** What an operator may see proposed for an item before release. */
export type ProposedOutcome = ResultCode | 'PENDING_REVIEW';

type RejectionClass = 'REJECTED_INCOMPLETE' | 'REJECTED_INELIGIBLE' | 'REJECTED_DUPLICATE';

export const REASON_CODES = {
  ITEM_NOT_OBJECT: 'REJECTED_INCOMPLETE',
  REQUEST_ID_MISSING: 'REJECTED_INCOMPLETE',
  REQUEST_ID_DUPLICATE: 'REJECTED_INCOMPLETE',
  FIELD_WRONG_TYPE: 'REJECTED_INCOMPLETE',
  FIELD_TOO_LONG: 'REJECTED_INCOMPLETE',
  NAME_MISSING: 'REJECTED_INCOMPLETE',
  NAME_PLACEHOLDER: 'REJECTED_INCOMPLETE',
  NAME_INVALID_CHARACTERS: 'REJECTED_INCOMPLETE',
  ADDRESS_MISSING: 'REJECTED_INCOMPLETE',
  ADDRESS_PLACEHOLDER: 'REJECTED_INCOMPLETE',
  ADDRESS_ZIP_ONLY: 'REJECTED_INCOMPLETE',
  ADDRESS_NO_HOUSE_NUMBER: 'REJECTED_INCOMPLETE',
  ADDRESS_NO_STREET_NAME: 'REJECTED_INCOMPLETE',
  ADDRESS_NO_LOCALITY: 'REJECTED_INCOMPLETE',
  ZIP_MALFORMED: 'REJECTED_INCOMPLETE',
  STATE_UNKNOWN: 'REJECTED_INCOMPLETE',
  TAXABLE_PERIODS_MISSING: 'REJECTED_INCOMPLETE',
  TAXABLE_PERIOD_MALFORMED: 'REJECTED_INCOMPLETE',
  TAXABLE_PERIOD_IN_FUTURE: 'REJECTED_INCOMPLETE',
  STATUTE_MISSING: 'REJECTED_INCOMPLETE',
  REASON_MISSING: 'REJECTED_INCOMPLETE',
  REASON_PLACEHOLDER: 'REJECTED_INCOMPLETE',
  REMOVAL_ORDER_DATE_MISSING: 'REJECTED_INCOMPLETE',
  DATE_MALFORMED: 'REJECTED_INCOMPLETE',
  REMOVAL_ORDER_IN_FUTURE: 'REJECTED_INCOMPLETE',
  COURT_FINAL_ORDER_DATE_MISSING: 'REJECTED_INCOMPLETE',
  INVESTIGATION_ID_MISSING: 'REJECTED_INCOMPLETE',
  RECIPIENTS_MISSING: 'REJECTED_INCOMPLETE',
  STATUTE_NOT_ALLOWED: 'REJECTED_INELIGIBLE',
  REMOVAL_ORDER_WITHIN_90_DAYS: 'REJECTED_INELIGIBLE',
  DUPLICATE_SUBJECT: 'REJECTED_DUPLICATE',
} as const satisfies Record<string, RejectionClass>;
export type ReasonCode = keyof typeof REASON_CODES;

/** Operator-only reasons for a NOT_CONFIRMED proposal (never released). */
export const MATCH_REASON_CODES = ['MATCH_NONE', 'MATCH_AMBIGUOUS'] as const;
export type MatchReasonCode = (typeof MATCH_REASON_CODES)[number];

const PRECEDENCE: RejectionClass[] = [
  'REJECTED_INCOMPLETE',
  'REJECTED_INELIGIBLE',
  'REJECTED_DUPLICATE',
];

/**
 * The result class for a set of failed rules: incomplete before ineligible before
 * duplicate, since an incomplete request cannot be judged eligible at all.
 */
export function rejectionFor(reasons: ReasonCode[]): RejectionClass {
  const classes = new Set(reasons.map((r) => REASON_CODES[r]));
  return PRECEDENCE.find((c) => classes.has(c)) ?? 'REJECTED_INCOMPLETE';
}
