import { addressKeys, normaliseState, parseStreetLine } from '../matching/normalize/address.ts';
import { parsePersonName } from '../matching/normalize/person-name.ts';
import { foldText, foldWords } from '../matching/normalize/text.ts';
import { readList } from '../matching/normalize/tables.ts';
import { statuteKey, type Agreement } from './agreement.ts';
import { rejectionFor, type ReasonCode } from './reason-codes.ts';

/** Version of the rule set below; every outcome records the one it was judged by. */
export const RULE_SET_VERSION = 'rules-2026.11.5';

/** A request item whose every statutory element is present and lawful. */
export interface ValidItem {
  request_id: string;
  first_name: string;
  middle_name: string;
  last_name: string;
  street: string;
  unit: string;
  city: string;
  state: string;
  zip: string;
  dob: string | null;
}

export type ItemVerdict =
  | { valid: true; item: ValidItem }
  | {
      valid: false;
      result: 'REJECTED_INCOMPLETE' | 'REJECTED_INELIGIBLE' | 'REJECTED_DUPLICATE';
      reasons: ReasonCode[];
    };

export interface ItemRuleContext {
  agreement: Pick<Agreement, 'statutes' | 'departure_period_days'> & {
    /** Employees the agreement names as recipients; null (format 1): not checked. */
    recipients?: string[] | null;
  };
  /** The day the batch is judged, YYYY-MM-DD (UTC). */
  today: string;
}

const ADDRESS_PLACEHOLDERS = new Set(readList('policy/address-placeholders.txt'));
const NAME_PLACEHOLDERS = new Set(readList('policy/name-placeholders.txt'));
const REASON_PLACEHOLDERS = new Set(readList('policy/reason-placeholders.txt'));

/** Longest value accepted per text field; longer is FIELD_TOO_LONG, never truncated. */
export const FIELD_LIMITS: Record<string, number> = {
  request_id: 64,
  first_name: 100,
  middle_name: 100,
  last_name: 100,
  street: 200,
  unit: 40,
  city: 100,
  state: 40,
  zip: 10,
  dob: 10,
  a_number: 12,
  removal_order_date: 10,
  court_final_order_date: 10,
  removal_order_case_number: 64,
  statute: 200,
  reason: 2000,
  investigation_id: 64,
};

const TEXT_FIELDS = Object.keys(FIELD_LIMITS);
// Control characters, zero-width and bidirectional controls, and markup brackets.
const FORBIDDEN_IN_NAMES = /[\p{Cc}\p{Cf}<>{}[\]\\|@#$%^*=_~`"&;0-9]|--/u;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CONTROL_OR_MARKUP = /[\p{Cc}\p{Cf}<>]/u;
/** Secondary unit designators (Pub 28 C2): alone they do not name a street. */
const UNIT_WORDS = new Set([
  'APT',
  'APARTMENT',
  'UNIT',
  'STE',
  'SUITE',
  'RM',
  'ROOM',
  'FL',
  'FLOOR',
  'BLDG',
  'LOT',
  'SPC',
  'SPACE',
  'TRLR',
  'DEPT',
  'BSMT',
  'OFC',
  'PH',
]);

/**
 * Judges one request item on its own against the law and the agreement.
 * Pure: it reads no taxpayer data. Every failed rule is listed, not only the first.
 * @example validateItem(buildItem({ street: 'Failed to Provide' }), ctx) // { valid: false, result: 'REJECTED_INCOMPLETE', reasons: ['ADDRESS_PLACEHOLDER'] }
 */
export function validateItem(raw: unknown, ctx: ItemRuleContext): ItemVerdict {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return { valid: false, result: 'REJECTED_INCOMPLETE', reasons: ['ITEM_NOT_OBJECT'] };
  }
  const item = raw as Record<string, unknown>;
  const reasons = new Set<ReasonCode>();
  const text: Record<string, string> = {};
  // Fields of the wrong type or too long are reported once as such; the rules
  // below skip them instead of also calling them missing.
  const broken = new Set<string>();

  for (const field of TEXT_FIELDS) {
    const v = item[field];
    if (v === undefined || v === null) {
      text[field] = '';
    } else if (typeof v !== 'string') {
      reasons.add('FIELD_WRONG_TYPE');
      broken.add(field);
      text[field] = '';
    } else if (v.length > FIELD_LIMITS[field]!) {
      reasons.add('FIELD_TOO_LONG');
      broken.add(field);
      text[field] = '';
    } else if (
      field !== 'first_name' &&
      field !== 'middle_name' &&
      field !== 'last_name' &&
      CONTROL_OR_MARKUP.test(v)
    ) {
      // Control, invisible and bidirectional characters and markup have no place in
      // a request; names have their own, more specific code.
      reasons.add('FIELD_INVALID_CHARACTERS');
      broken.add(field);
      text[field] = '';
    } else {
      text[field] = fieldText(v);
    }
  }
  const t = (f: string) => text[f]!;
  const absent = (f: string) => !t(f) && !broken.has(f);

  if (absent('request_id')) reasons.add('REQUEST_ID_MISSING');

  if (!['first_name', 'middle_name', 'last_name'].some((f) => broken.has(f))) {
    checkName(t('first_name'), t('middle_name'), t('last_name'), reasons);
  }
  if (!['street', 'city', 'state', 'zip', 'unit'].some((f) => broken.has(f))) {
    checkAddress(t('street'), t('city'), t('state'), t('zip'), reasons);
  }
  checkTaxablePeriods(item.taxable_periods, ctx.today, reasons);

  if (absent('statute')) reasons.add('STATUTE_MISSING');
  else if (t('statute') && !allowedStatutes(ctx.agreement).has(statuteKey(t('statute')))) {
    reasons.add('STATUTE_NOT_ALLOWED');
  }

  const reason = foldWords(t('reason'));
  if (absent('reason')) reasons.add('REASON_MISSING');
  else if (
    !broken.has('reason') &&
    (REASON_PLACEHOLDERS.has(reason) || reason.replace(/ /g, '').length < 10)
  ) {
    reasons.add('REASON_PLACEHOLDER');
  }

  if (!['removal_order_date', 'court_final_order_date'].some((f) => broken.has(f))) {
    checkRemovalOrder(item, t, ctx, reasons);
  }

  if (absent('investigation_id')) reasons.add('INVESTIGATION_ID_MISSING');
  if (!validRecipients(item.recipients)) {
    reasons.add('RECIPIENTS_MISSING');
  } else if (
    ctx.agreement.recipients &&
    !(item.recipients as string[]).every((r) => allowedRecipient(ctx.agreement.recipients!, r))
  ) {
    reasons.add('RECIPIENT_NOT_IN_AGREEMENT');
  }

  if (t('dob') && (!isCalendarDate(t('dob')) || t('dob') > ctx.today))
    reasons.add('DATE_MALFORMED');

  if (reasons.size > 0) {
    const list = [...reasons];
    return { valid: false, result: rejectionFor(list), reasons: list };
  }
  return { valid: true, item: passedItem(item) };
}

/** A text field as the rules read it. */
function fieldText(v: unknown): string {
  if (typeof v !== 'string') return '';
  // trim() would silently drop a leading U+FEFF: leave such a value whole for the checks.
  return /\p{Cf}/u.test(v) ? v : v.trim();
}

/**
 * The clean fields of an item that `validateItem` passed, without judging it again.
 * The match phase reads them for items its batch's validation phase passed (a batch
 * reaches `validated` only once every other item has its outcome): judging 20,000 items
 * a second time cost an eighth of matching them.
 * @example passedItem(raw).street // '100 Main St' for '  100 Main St '
 */
export function passedItem(raw: unknown): ValidItem {
  const item = raw as Record<string, unknown>;
  return {
    request_id: fieldText(item.request_id),
    first_name: fieldText(item.first_name),
    middle_name: fieldText(item.middle_name),
    last_name: fieldText(item.last_name),
    street: fieldText(item.street),
    unit: fieldText(item.unit),
    city: fieldText(item.city),
    state: fieldText(item.state),
    zip: fieldText(item.zip),
    dob: fieldText(item.dob) || null,
  };
}

function checkName(first: string, middle: string, last: string, reasons: Set<ReasonCode>): void {
  if (!first || !last) {
    reasons.add('NAME_MISSING');
  }
  for (const part of [first, middle, last]) {
    if (part && FORBIDDEN_IN_NAMES.test(part)) reasons.add('NAME_INVALID_CHARACTERS');
  }
  // A name has at least one letter: '???' or '.' is not one. Nor is what matching reads
  // as no name: the modifier letter apostrophe 'ʼ' (U+02BC), which names are read
  // without, or a half-width sound mark (U+FF9E), which folding drops: such an item was
  // matched with no first name, and the returns at the address inspected for it.
  for (const part of [first, last]) {
    if (part && !/\p{L}/u.test(part)) reasons.add('NAME_INVALID_CHARACTERS');
  }
  if (first && last && !reasons.has('NAME_INVALID_CHARACTERS')) {
    const read = parsePersonName({ first_name: first, middle_name: '', last_name: last });
    if (read.given.length === 0 || read.surnames.length === 0)
      reasons.add('NAME_INVALID_CHARACTERS');
  }
  // 'F.N.U.', 'F N U' and 'Unknown Unknown' are placeholders too: compare the
  // letters alone, and every word of a field.
  const isPlaceholder = (part: string) => {
    const words = foldWords(part);
    return (
      NAME_PLACEHOLDERS.has(words) ||
      NAME_PLACEHOLDERS.has(words.replace(/ /g, '')) ||
      (words !== '' && words.split(' ').every((w) => NAME_PLACEHOLDERS.has(w)))
    );
  };
  if (
    [first, middle, last].some((part) => part && isPlaceholder(part)) ||
    NAME_PLACEHOLDERS.has(foldWords(`${first} ${last}`))
  ) {
    reasons.add('NAME_PLACEHOLDER');
  }
}

/** True when the text is a placeholder, one repeated character, or digits only. */
function isJunkAddress(folded: string): boolean {
  const compact = folded.replace(/ /g, '');
  return (
    ADDRESS_PLACEHOLDERS.has(foldWords(folded)) ||
    /^(.)\1*$/.test(compact) ||
    /^[\d#/]+$/.test(compact)
  );
}

function checkAddress(
  street: string,
  city: string,
  state: string,
  zip: string,
  reasons: Set<ReasonCode>,
): void {
  const folded = foldText(street);
  if (zip && !/^\d{5}(?:-?\d{4})?$/.test(zip)) reasons.add('ZIP_MALFORMED');
  if (state && !normaliseState(state)) reasons.add('STATE_UNKNOWN');
  if (!folded) {
    reasons.add(zip || city ? 'ADDRESS_ZIP_ONLY' : 'ADDRESS_MISSING');
    return;
  }
  // A ZIP written as the street ("ZIP code is not an address").
  if (/^\d{5}(?:\s*-?\s*\d{4})?$/.test(street.trim())) {
    reasons.add('ADDRESS_ZIP_ONLY');
    return;
  }
  if (
    isJunkAddress(folded) ||
    [city, state].some((f) => f && ADDRESS_PLACEHOLDERS.has(foldWords(f)))
  ) {
    reasons.add('ADDRESS_PLACEHOLDER');
    return;
  }
  const parsed = parseStreetLine(street);
  // What follows the house number: a placeholder there ('0 Failed to Provide') is
  // still a placeholder, and a unit alone ('100 Apt 4', '123 #4B') names no street.
  const rest = foldText(street.replace(/^\s*\d[\d-]*[A-Za-z]?(?=\s|$)/, ''))
    .split(' ')
    .filter(Boolean);
  if (
    parsed.houseNumber &&
    rest.length > 0 &&
    ADDRESS_PLACEHOLDERS.has(foldWords(rest.join(' ')))
  ) {
    reasons.add('ADDRESS_PLACEHOLDER');
    return;
  }
  if (!parsed.houseNumber) reasons.add('ADDRESS_NO_HOUSE_NUMBER');
  const nameWords = rest.filter(
    (w, k) =>
      /\p{L}/u.test(w) &&
      !w.startsWith('#') &&
      !UNIT_WORDS.has(w) &&
      !UNIT_WORDS.has(rest[k - 1] ?? ''),
  );
  if (nameWords.length === 0 || !/\p{L}/u.test(parsed.streetName))
    reasons.add('ADDRESS_NO_STREET_NAME');
  const keys = addressKeys({ street, city, state, zip });
  if (!keys.zip5 && !(keys.city_key && keys.state)) reasons.add('ADDRESS_NO_LOCALITY');
}

function checkTaxablePeriods(value: unknown, today: string, reasons: Set<ReasonCode>): void {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    reasons.add('TAXABLE_PERIODS_MISSING');
    return;
  }
  if (!Array.isArray(value) || value.length > 20) {
    reasons.add('TAXABLE_PERIOD_MALFORMED');
    return;
  }
  const currentYear = Number(today.slice(0, 4));
  for (const p of value) {
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 1900) {
      reasons.add('TAXABLE_PERIOD_MALFORMED');
    } else if (p > currentYear) {
      reasons.add('TAXABLE_PERIOD_IN_FUTURE');
    }
  }
}

function checkRemovalOrder(
  item: Record<string, unknown>,
  t: (f: string) => string,
  ctx: ItemRuleContext,
  reasons: Set<ReasonCode>,
): void {
  const orderDate = t('removal_order_date');
  if (!orderDate) {
    reasons.add('REMOVAL_ORDER_DATE_MISSING');
    return;
  }
  if (!isCalendarDate(orderDate)) {
    reasons.add('DATE_MALFORMED');
    return;
  }
  // 8 U.S.C. §1231(a)(1)(B): after judicial review the period runs from the court's final order.
  let start = orderDate;
  if (item.judicial_review === true) {
    const courtDate = t('court_final_order_date');
    if (!courtDate) {
      reasons.add('COURT_FINAL_ORDER_DATE_MISSING');
      return;
    }
    if (!isCalendarDate(courtDate)) {
      reasons.add('DATE_MALFORMED');
      return;
    }
    start = courtDate > orderDate ? courtDate : orderDate;
  } else if (item.judicial_review !== undefined && item.judicial_review !== false) {
    reasons.add('FIELD_WRONG_TYPE');
  }
  if (start > ctx.today) {
    reasons.add('REMOVAL_ORDER_IN_FUTURE');
  } else if (start >= departureCutoff(ctx)) {
    // The period runs through its last day: lawful from the day after (ADR 0002).
    reasons.add('REMOVAL_ORDER_WITHIN_90_DAYS');
  }
}

// Per agreement and per context, not per item: both ran for every item of a batch.
const statuteKeys = new WeakMap<ItemRuleContext['agreement'], Set<string>>();
function allowedStatutes(agreement: ItemRuleContext['agreement']): Set<string> {
  let keys = statuteKeys.get(agreement);
  if (!keys) statuteKeys.set(agreement, (keys = new Set(agreement.statutes.map(statuteKey))));
  return keys;
}

const cutoffs = new WeakMap<ItemRuleContext, string>();
/** The first start day whose departure period still runs on ctx.today. */
function departureCutoff(ctx: ItemRuleContext): string {
  let day = cutoffs.get(ctx);
  if (day === undefined) {
    // start + period >= today  ⟺  start >= today − period (days are a line).
    day = addDays(ctx.today, -ctx.agreement.departure_period_days);
    cutoffs.set(ctx, day);
  }
  return day;
}

/** Recipients are compared folded (case, accents, punctuation, spacing). */
function allowedRecipient(allowed: string[], name: string): boolean {
  const key = foldText(name);
  return allowed.some((a) => foldText(a) === key);
}

function validRecipients(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.length <= 50 &&
    value.every(
      (r) =>
        typeof r === 'string' &&
        r.trim().length > 0 &&
        r.length <= 200 &&
        !CONTROL_OR_MARKUP.test(r),
    )
  );
}

/** Whether s is a real calendar day written YYYY-MM-DD. */
export function isCalendarDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  // Arithmetic, not Date parsing: it runs for several dates of every item.
  const year = Number(s.slice(0, 4));
  const month = Number(s.slice(5, 7));
  const day = Number(s.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

/** YYYY-MM-DD plus n days. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/**
 * Judges the items of one batch in order, each on its own and then against the
 * items before it (repeated request ids, the same subject twice). Incremental,
 * so a batch of any size can be judged page by page; judging the same items in
 * the same order always gives the same verdicts.
 * @example const judge = new BatchItemJudge(ctx); const v = items.map((i) => judge.judge(i))
 */
export class BatchItemJudge {
  private readonly seenRequestIds = new Set<string>();
  private readonly seenSubjects = new Set<string>();
  constructor(private readonly ctx: ItemRuleContext) {}

  judge(raw: unknown): ItemVerdict {
    const v = validateItem(raw, this.ctx);
    const requestId =
      raw &&
      typeof raw === 'object' &&
      typeof (raw as { request_id?: unknown }).request_id === 'string'
        ? (raw as { request_id: string }).request_id.trim()
        : '';
    if (requestId) {
      if (this.seenRequestIds.has(requestId)) {
        const reasons: ReasonCode[] = v.valid
          ? ['REQUEST_ID_DUPLICATE']
          : [...v.reasons, 'REQUEST_ID_DUPLICATE'];
        return { valid: false, result: rejectionFor(reasons), reasons };
      }
      this.seenRequestIds.add(requestId);
    }
    if (!v.valid) return v;
    const subject = subjectKey(v.item);
    if (this.seenSubjects.has(subject)) {
      return { valid: false, result: 'REJECTED_DUPLICATE', reasons: ['DUPLICATE_SUBJECT'] };
    }
    this.seenSubjects.add(subject);
    return v;
  }
}

/**
 * Same person at the same address, as far as the request says: the name as matching
 * reads it and as holds and the duplicate window identify it (person:v2: O'Brien and
 * OBrien one name; the first given name, so John, John R and John Robert are one, as
 * are two sisters Maria Jose and Maria Luisa unless a unit or date of birth tells them
 * apart), the generational suffix apart.
 */
function subjectKey(item: ValidItem): string {
  const a = addressKeys(item);
  const name = parsePersonName(item);
  return [
    name.given[0] ?? '',
    name.surnames.join(' '),
    name.suffix ?? '',
    a.street_key,
    a.unit_key,
    a.zip5 || `${a.city_key}|${a.state}`,
    item.dob ?? '',
  ].join('|');
}
