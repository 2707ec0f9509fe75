import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAgreement, buildItem } from '../../test/support/builders.ts';
import { statuteKey } from './agreement.ts';
import {
  addDays,
  BatchItemJudge,
  isCalendarDate,
  validateItem,
  type ItemRuleContext,
  type ItemVerdict,
} from './item-rules.ts';
import { REASON_CODES, rejectionFor, type ReasonCode } from './reason-codes.ts';

/** A fixed judging day so that every date rule is deterministic. */
const TODAY = '2026-06-15';
const ctx: ItemRuleContext = { agreement: buildAgreement(), today: TODAY };

/** A lawful item judged on TODAY: its removal order is well past the 90-day period. */
const item = (over: Record<string, unknown> = {}) =>
  buildItem({ removal_order_date: addDays(TODAY, -200), ...over });

const judge = (raw: unknown, c: ItemRuleContext = ctx) => validateItem(raw, c);

function rejected(v: ItemVerdict): Extract<ItemVerdict, { valid: false }> {
  if (v.valid) throw new Error(`expected a rejection, got a valid item ${v.item.request_id}`);
  return v;
}

/** Judges a whole batch in order and returns the last verdict. */
function lastOfBatch(items: unknown[]): ItemVerdict {
  const j = new BatchItemJudge(ctx);
  return items.map((i) => j.judge(i)).at(-1)!;
}

/**
 * The smallest bad input for every reason code. Typed as a Record over ReasonCode,
 * so a code added to the catalogue without a case here fails the typecheck.
 */
const CASES: Record<
  ReasonCode,
  { raw: unknown } | { batch: unknown[] } | { acrossBatches: unknown[] }
> = {
  ITEM_NOT_OBJECT: { raw: 'Maria Garcia, 123 Main St' },
  REQUEST_ID_MISSING: { raw: item({ request_id: undefined }) },
  REQUEST_ID_DUPLICATE: {
    batch: [item({ request_id: 'r-1' }), item({ request_id: 'r-1', first_name: 'Ana' })],
  },
  FIELD_WRONG_TYPE: { raw: item({ middle_name: 7 }) },
  FIELD_TOO_LONG: { raw: item({ a_number: 'A'.repeat(13) }) },
  FIELD_INVALID_CHARACTERS: { raw: item({ city: 'Hou\u0000ston' }) },
  NAME_MISSING: { raw: item({ first_name: '' }) },
  NAME_PLACEHOLDER: { raw: item({ first_name: 'FNU' }) },
  NAME_INVALID_CHARACTERS: { raw: item({ last_name: 'Garcia<script>' }) },
  ADDRESS_MISSING: { raw: item({ street: '', city: '', zip: '' }) },
  ADDRESS_PLACEHOLDER: { raw: item({ street: 'Failed to Provide' }) },
  ADDRESS_ZIP_ONLY: { raw: item({ street: '77001' }) },
  ADDRESS_NO_HOUSE_NUMBER: { raw: item({ street: 'Main St' }) },
  ADDRESS_NO_STREET_NAME: { raw: item({ street: '123A' }) },
  ADDRESS_NO_LOCALITY: { raw: item({ city: '', zip: '' }) },
  ZIP_MALFORMED: { raw: item({ zip: '7700' }) },
  STATE_UNKNOWN: { raw: item({ state: 'Texass' }) },
  TAXABLE_PERIODS_MISSING: { raw: item({ taxable_periods: [] }) },
  TAXABLE_PERIOD_MALFORMED: { raw: item({ taxable_periods: ['2023'] }) },
  TAXABLE_PERIOD_IN_FUTURE: { raw: item({ taxable_periods: [2027] }) },
  STATUTE_MISSING: { raw: item({ statute: '' }) },
  REASON_MISSING: { raw: item({ reason: '' }) },
  REASON_PLACEHOLDER: { raw: item({ reason: 'Investigation' }) },
  REMOVAL_ORDER_DATE_MISSING: { raw: item({ removal_order_date: undefined }) },
  DATE_MALFORMED: { raw: item({ removal_order_date: '2025-02-30' }) },
  REMOVAL_ORDER_IN_FUTURE: { raw: item({ removal_order_date: addDays(TODAY, 1) }) },
  COURT_FINAL_ORDER_DATE_MISSING: { raw: item({ judicial_review: true }) },
  INVESTIGATION_ID_MISSING: { raw: item({ investigation_id: '' }) },
  RECIPIENTS_MISSING: { raw: item({ recipients: [] }) },
  STATUTE_NOT_ALLOWED: { raw: item({ statute: '8 USC 1227(a)(2)' }) },
  REMOVAL_ORDER_WITHIN_90_DAYS: { raw: item({ removal_order_date: addDays(TODAY, -10) }) },
  DUPLICATE_SUBJECT: {
    batch: [item({ request_id: 'r-1' }), item({ request_id: 'r-2' })],
  },
  RECIPIENT_NOT_IN_AGREEMENT: { raw: item({ recipients: ['Officer A. Example', 'Someone Else'] }) },
  // Needs the earlier batches: src/policy/duplicate-window.ts, test/agreement-v2.int.test.ts.
  DUPLICATE_SUBJECT_IN_WINDOW: { acrossBatches: [item({ request_id: 'r-1' })] },
};

describe('validateItem: one minimal bad item per reason code', () => {
  it('the builder item is lawful on the fixed day (baseline for every case)', () => {
    expect(judge(item()).valid).toBe(true);
  });

  it.each(Object.keys(REASON_CODES) as ReasonCode[])('%s', (code) => {
    const c = CASES[code];
    if ('acrossBatches' in c) {
      // The item rules alone accept it: only the window screen, with the database, refuses it.
      expect(lastOfBatch(c.acrossBatches).valid).toBe(true);
      return;
    }
    const v = rejected('raw' in c ? judge(c.raw) : lastOfBatch(c.batch));
    expect(v.reasons).toEqual([code]);
    expect(v.result).toBe(REASON_CODES[code]);
  });
});

describe('recipients named by the agreement', () => {
  it('accepts recipients the agreement names, compared folded', () => {
    expect(judge(item({ recipients: ['officer a example', 'OFFICER B. EXAMPLE'] })).valid).toBe(
      true,
    );
  });
  it('refuses any recipient the agreement does not name', () => {
    expect(rejected(judge(item({ recipients: ['Officer C. Example'] })))).toMatchObject({
      result: 'REJECTED_INELIGIBLE',
      reasons: ['RECIPIENT_NOT_IN_AGREEMENT'],
    });
  });
  it('does not check names under a format-1 agreement (no list)', () => {
    const v1 = { ...ctx, agreement: { ...ctx.agreement, recipients: null } };
    expect(judge(item({ recipients: ['Anyone At All'] }), v1).valid).toBe(true);
  });
});

describe('validateItem: lawful items', () => {
  it('returns the trimmed fields and a null dob', () => {
    const v = judge(item({ request_id: ' r-9 ', first_name: '  José ', street: ' 12 Oak Ave ' }));
    expect(v).toEqual({
      valid: true,
      item: {
        request_id: 'r-9',
        first_name: 'José',
        middle_name: '',
        last_name: 'Garcia',
        street: '12 Oak Ave',
        unit: '',
        city: 'Houston',
        state: 'TX',
        zip: '77001',
        dob: null,
      },
    });
  });

  it.each([
    ['accented and compound names', { first_name: 'María José', last_name: 'Zúñiga-Pérez' }],
    ['particles and apostrophes', { first_name: 'Seán', last_name: "de la Cruz O'Brien" }],
    ['ZIP+4', { zip: '77001-1234' }],
    ['no ZIP but city and state', { zip: '' }],
    ['state written out', { state: 'Texas' }],
    ['a unit in the street line', { street: '123 North Main Street Apt 4b' }],
    ['a separate unit', { unit: 'Apt 4B' }],
    ['a valid dob', { dob: '1990-02-28' }],
    ['judicial review not sought', { judicial_review: false }],
  ])('%s is valid', (_label, over) => {
    expect(judge(item(over)).valid).toBe(true);
  });
});

describe('validateItem: addresses from the 2025–26 court record are refused', () => {
  it.each([
    ['Failed to Provide', {}],
    ['FAILED TO PROVIDE', {}],
    ['Unknown Address', {}],
    ['  unknown   address. ', {}],
    ['Address unknown', {}],
    ['xxxxx', {}],
    ['0000', {}],
    ['Desconocido', {}],
  ])('street %j → ADDRESS_PLACEHOLDER', (street, over) => {
    const v = rejected(judge(item({ street, ...over })));
    expect(v.result).toBe('REJECTED_INCOMPLETE');
    expect(v.reasons).toEqual(['ADDRESS_PLACEHOLDER']);
  });

  it.each(['77001', '77001-1234', '77001 1234', ' 77001 '])(
    'a bare ZIP %j as the street → ADDRESS_ZIP_ONLY',
    (street) => {
      const v = rejected(judge(item({ street })));
      expect(v.result).toBe('REJECTED_INCOMPLETE');
      expect(v.reasons).toEqual(['ADDRESS_ZIP_ONLY']);
    },
  );

  it('an empty street with only a ZIP → ADDRESS_ZIP_ONLY', () => {
    const v = rejected(judge(item({ street: '', city: '', state: '', zip: '77001' })));
    expect(v.reasons).toEqual(['ADDRESS_ZIP_ONLY']);
  });

  it('a missing street with a ZIP, city and state is still refused', () => {
    const v = rejected(judge(item({ street: undefined })));
    expect(v.reasons).toEqual(['ADDRESS_ZIP_ONLY']);
  });

  it.each(['N/A', 'n/a', 'N.A.', 'NA', 'None', '???'])('street %j is refused', (street) => {
    const v = rejected(judge(item({ street })));
    expect(v.result).toBe('REJECTED_INCOMPLETE');
    expect(v.reasons.some((r) => r.startsWith('ADDRESS_'))).toBe(true);
  });

  it('a placeholder city or state is refused even with a real street', () => {
    expect(rejected(judge(item({ city: 'Unknown' }))).reasons).toContain('ADDRESS_PLACEHOLDER');
    expect(rejected(judge(item({ state: 'N A' }))).reasons).toContain('ADDRESS_PLACEHOLDER');
  });

  it('a placeholder address is never passed to a batch as valid', () => {
    const j = new BatchItemJudge(ctx);
    const verdicts = ['Failed to Provide', 'Unknown Address', '77001', 'N/A', '0000', 'xxxxx'].map(
      (street) => j.judge(item({ street })),
    );
    expect(verdicts.filter((v) => v.valid)).toEqual([]);
  });
});

describe('validateItem: names', () => {
  it.each([
    [{ first_name: 'FNU' }],
    [{ first_name: 'fnu' }],
    [{ last_name: 'LNU' }],
    [{ first_name: 'FNU', last_name: 'LNU' }],
    [{ first_name: 'Unknown' }],
    [{ first_name: 'John', last_name: 'Doe' }],
  ])('%j → NAME_PLACEHOLDER', (over) => {
    const v = rejected(judge(item(over)));
    expect(v.result).toBe('REJECTED_INCOMPLETE');
    expect(v.reasons).toEqual(['NAME_PLACEHOLDER']);
  });

  it.each([
    ['zero-width space', 'Ma\u200Bria'],
    ['zero-width joiner', 'Mar\u200Dia'],
    ['right-to-left override', '\u202EaicraG'],
    ['left-to-right mark', 'Garcia\u200E'],
    ['byte order mark inside', 'Gar\uFEFFcia'],
    ['a control character', 'Gar\u0007cia'],
    ['markup', '<script>alert(1)</script>'],
    ['digits', 'Garc1a'],
  ])('%s in a name → NAME_INVALID_CHARACTERS', (_label, name) => {
    for (const field of ['first_name', 'middle_name', 'last_name']) {
      const v = rejected(judge(item({ [field]: name })));
      expect(v.result).toBe('REJECTED_INCOMPLETE');
      expect(v.reasons).toContain('NAME_INVALID_CHARACTERS');
    }
  });

  it('a leading byte order mark is refused, not silently trimmed away', () => {
    expect(rejected(judge(item({ last_name: '\uFEFFGarcia' }))).reasons).toEqual([
      'NAME_INVALID_CHARACTERS',
    ]);
  });

  it('a missing last name → NAME_MISSING', () => {
    expect(rejected(judge(item({ last_name: '   ' }))).reasons).toEqual(['NAME_MISSING']);
  });
});

describe('validateItem: the departure period (8 U.S.C. §1231(a)(1)(B), §1253)', () => {
  const orderedDaysAgo = (n: number, over: Record<string, unknown> = {}) =>
    judge(item({ removal_order_date: addDays(TODAY, -n), ...over }));

  it('89 days after the order → REMOVAL_ORDER_WITHIN_90_DAYS, REJECTED_INELIGIBLE', () => {
    const v = rejected(orderedDaysAgo(89));
    expect(v.result).toBe('REJECTED_INELIGIBLE');
    expect(v.reasons).toEqual(['REMOVAL_ORDER_WITHIN_90_DAYS']);
  });

  it('90 days after the order is still within the period (its last day; ADR 0002)', () => {
    expect(rejected(orderedDaysAgo(90)).reasons).toEqual(['REMOVAL_ORDER_WITHIN_90_DAYS']);
  });

  it('91 days after the order is accepted', () => {
    expect(orderedDaysAgo(91).valid).toBe(true);
  });

  it('an order dated today is within the period, not in the future', () => {
    expect(rejected(orderedDaysAgo(0)).reasons).toEqual(['REMOVAL_ORDER_WITHIN_90_DAYS']);
  });

  it('an order dated tomorrow → REMOVAL_ORDER_IN_FUTURE', () => {
    expect(rejected(orderedDaysAgo(-1)).reasons).toEqual(['REMOVAL_ORDER_IN_FUTURE']);
  });

  it("follows the agreement's departure_period_days", () => {
    const c30 = { ...ctx, agreement: buildAgreement({ departure_period_days: 30 }) };
    const at = (n: number) => judge(item({ removal_order_date: addDays(TODAY, -n) }), c30);
    expect(rejected(at(30)).reasons).toEqual(['REMOVAL_ORDER_WITHIN_90_DAYS']);
    expect(at(31).valid).toBe(true);
  });

  describe('with judicial_review: true the period runs from court_final_order_date', () => {
    const reviewed = (courtDaysAgo: number) =>
      judge(
        item({
          removal_order_date: addDays(TODAY, -400),
          judicial_review: true,
          court_final_order_date: addDays(TODAY, -courtDaysAgo),
        }),
      );

    it('89 days after the court order → REMOVAL_ORDER_WITHIN_90_DAYS', () => {
      const v = rejected(reviewed(89));
      expect(v.result).toBe('REJECTED_INELIGIBLE');
      expect(v.reasons).toEqual(['REMOVAL_ORDER_WITHIN_90_DAYS']);
    });

    it('90 days after the court order is within the period; 91 is accepted', () => {
      expect(rejected(reviewed(90)).reasons).toEqual(['REMOVAL_ORDER_WITHIN_90_DAYS']);
      expect(reviewed(91).valid).toBe(true);
    });

    it('a court order in the future → REMOVAL_ORDER_IN_FUTURE', () => {
      expect(rejected(reviewed(-5)).reasons).toEqual(['REMOVAL_ORDER_IN_FUTURE']);
    });

    it('a court date before the removal order counts from the later removal order', () => {
      const v = judge(
        item({
          removal_order_date: addDays(TODAY, -10),
          judicial_review: true,
          court_final_order_date: addDays(TODAY, -400),
        }),
      );
      expect(rejected(v).reasons).toEqual(['REMOVAL_ORDER_WITHIN_90_DAYS']);
    });

    it('a malformed court date → DATE_MALFORMED', () => {
      const v = judge(item({ judicial_review: true, court_final_order_date: '2026-13-01' }));
      expect(rejected(v).reasons).toEqual(['DATE_MALFORMED']);
    });

    it('without judicial review a recent court date is ignored', () => {
      const v = judge(item({ judicial_review: false, court_final_order_date: addDays(TODAY, -5) }));
      expect(v.valid).toBe(true);
    });

    it('judicial_review that is not a boolean → FIELD_WRONG_TYPE', () => {
      expect(rejected(judge(item({ judicial_review: 'yes' }))).reasons).toEqual([
        'FIELD_WRONG_TYPE',
      ]);
    });
  });
});

describe('validateItem: several failing rules are all listed', () => {
  it('incomplete, ineligible and more together → REJECTED_INCOMPLETE with every reason', () => {
    const v = rejected(
      judge(
        item({
          first_name: '',
          street: 'Unknown Address',
          taxable_periods: [],
          statute: '8 USC 1227(a)(2)',
          reason: 'TBD',
          removal_order_date: addDays(TODAY, -10),
          recipients: undefined,
        }),
      ),
    );
    expect(v.result).toBe('REJECTED_INCOMPLETE');
    expect([...v.reasons].sort()).toEqual(
      [
        'NAME_MISSING',
        'ADDRESS_PLACEHOLDER',
        'TAXABLE_PERIODS_MISSING',
        'STATUTE_NOT_ALLOWED',
        'REASON_PLACEHOLDER',
        'REMOVAL_ORDER_WITHIN_90_DAYS',
        'RECIPIENTS_MISSING',
      ].sort(),
    );
  });

  it('only ineligible rules → REJECTED_INELIGIBLE with both reasons', () => {
    const v = rejected(
      judge(item({ statute: '8 USC 1227', removal_order_date: addDays(TODAY, -1) })),
    );
    expect(v.result).toBe('REJECTED_INELIGIBLE');
    expect([...v.reasons].sort()).toEqual(['REMOVAL_ORDER_WITHIN_90_DAYS', 'STATUTE_NOT_ALLOWED']);
  });

  it.each([null, undefined, 42, [], [item()]])('%j is not an item', (raw) => {
    expect(rejected(judge(raw)).reasons).toEqual(['ITEM_NOT_OBJECT']);
  });
});

describe('rejectionFor: incomplete > ineligible > duplicate', () => {
  it.each<[ReasonCode[], string]>([
    [['DUPLICATE_SUBJECT'], 'REJECTED_DUPLICATE'],
    [['STATUTE_NOT_ALLOWED', 'DUPLICATE_SUBJECT'], 'REJECTED_INELIGIBLE'],
    [['DUPLICATE_SUBJECT', 'STATUTE_NOT_ALLOWED', 'NAME_MISSING'], 'REJECTED_INCOMPLETE'],
    [['REMOVAL_ORDER_WITHIN_90_DAYS', 'REQUEST_ID_DUPLICATE'], 'REJECTED_INCOMPLETE'],
    [[], 'REJECTED_INCOMPLETE'],
  ])('%j → %s', (reasons, expected) => {
    expect(rejectionFor(reasons)).toBe(expected);
  });
});

describe('validateItem: statutes are matched tolerant of citation spelling', () => {
  it.each([
    '8 USC 1253(a)(1)(A)',
    '8 U.S.C. 1253(a)(1)(A)',
    '8 U.S.C. § 1253(a)(1)(A)',
    '8 u.s.c. §1253 (a) (1) (A)',
    '8 U. S. C. 1253(a)(1)(A)',
    '  8  USC   1253( a )(1)(A) ',
  ])('%j is allowed by an agreement listing "8 USC 1253(a)(1)(A)"', (statute) => {
    expect(judge(item({ statute })).valid).toBe(true);
  });

  it.each(['8 USC 1253(a)(1)(B)', '8 USC 1253', '18 USC 1253(a)(1)(A)', '8 USC 1231(a)(1)(A)'])(
    '%j → STATUTE_NOT_ALLOWED',
    (statute) => {
      const v = rejected(judge(item({ statute })));
      expect(v.result).toBe('REJECTED_INELIGIBLE');
      expect(v.reasons).toEqual(['STATUTE_NOT_ALLOWED']);
    },
  );

  it('the agreement side is normalised too', () => {
    const c = { ...ctx, agreement: buildAgreement({ statutes: ['8 U.S.C. § 1253(a)(1)(A)'] }) };
    expect(judge(item({ statute: '8 USC 1253(a)(1)(A)' }), c).valid).toBe(true);
  });

  it('statuteKey folds case, §, spaces and U.S.C. spellings', () => {
    expect(statuteKey('8 u.s.c. § 1253 (a)(1)(A)')).toBe('8 USC 1253(A)(1)(A)');
    expect(statuteKey('8 USC 1253(a)(1)(A)')).toBe(statuteKey('8 U. S. C. §1253(a)(1)(A)'));
  });
});

describe('validateItem: other fields', () => {
  it.each([
    [{ dob: '1990-02-30' }, 'DATE_MALFORMED'],
    [{ dob: '02/01/1990' }, 'DATE_MALFORMED'],
    [{ removal_order_date: '2025/01/01' }, 'DATE_MALFORMED'],
    [{ taxable_periods: 2023 }, 'TAXABLE_PERIOD_MALFORMED'],
    [{ taxable_periods: [1899] }, 'TAXABLE_PERIOD_MALFORMED'],
    [{ taxable_periods: [2023.5] }, 'TAXABLE_PERIOD_MALFORMED'],
    [{ taxable_periods: Array.from({ length: 21 }, () => 2020) }, 'TAXABLE_PERIOD_MALFORMED'],
    [{ recipients: [''] }, 'RECIPIENTS_MISSING'],
    [{ recipients: 'Officer A' }, 'RECIPIENTS_MISSING'],
    [{ reason: 'short one' }, 'REASON_PLACEHOLDER'],
    [{ reason: 'Immigration enforcement.' }, 'REASON_PLACEHOLDER'],
    [{ zip: '770011' }, 'ZIP_MALFORMED'],
    [{ first_name: 42 }, 'FIELD_WRONG_TYPE'],
    [{ reason: 'r'.repeat(2001) }, 'FIELD_TOO_LONG'],
  ])('%j → %s', (over, code) => {
    const v = rejected(judge(item(over)));
    expect(v.reasons).toContain(code);
    expect(v.result).toBe('REJECTED_INCOMPLETE');
  });

  it('a taxable period of the current year is accepted, the next one is not', () => {
    expect(judge(item({ taxable_periods: [2026] })).valid).toBe(true);
    expect(rejected(judge(item({ taxable_periods: [2026, 2027] }))).reasons).toEqual([
      'TAXABLE_PERIOD_IN_FUTURE',
    ]);
  });

  it('isCalendarDate accepts real days only', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2025-02-29')).toBe(false);
    expect(isCalendarDate('2025-1-01')).toBe(false);
    expect(isCalendarDate('1900-02-29')).toBe(false);
    expect(isCalendarDate('2000-02-29')).toBe(true);
  });

  it('isCalendarDate agrees with the calendar on every day shape', () => {
    const byDate = (s: string) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        (y, m, d) => {
          const s = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
          expect(isCalendarDate(s)).toBe(byDate(s));
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('BatchItemJudge', () => {
  it('judges each item on its own: a bad item neither passes nor drags others down', () => {
    const j = new BatchItemJudge(ctx);
    const verdicts = [
      item({ first_name: 'Ana' }),
      item({ street: 'Failed to Provide' }),
      item({ first_name: 'Luis' }),
    ].map((i) => j.judge(i));
    expect(verdicts.map((v) => v.valid)).toEqual([true, false, true]);
  });

  it('the same subject written differently is a DUPLICATE_SUBJECT', () => {
    const v = lastOfBatch([
      item({ first_name: 'María', last_name: 'Garcia', street: '123 Main St', zip: '77001' }),
      item({
        first_name: 'MARIA',
        last_name: 'garcía',
        street: '123 Main Street',
        zip: '77001-1234',
      }),
    ]);
    expect(v).toEqual({
      valid: false,
      result: 'REJECTED_DUPLICATE',
      reasons: ['DUPLICATE_SUBJECT'],
    });
  });

  it('one person written with and without a second given name is one subject', () => {
    const verdicts = [
      item({ first_name: 'John', last_name: 'Smith' }),
      item({ first_name: 'John R', last_name: 'Smith' }),
      item({ first_name: 'John', middle_name: 'Robert', last_name: 'Smith' }),
    ];
    const judge = new BatchItemJudge(ctx);
    expect(verdicts.map((i) => judge.judge(i).valid)).toEqual([true, false, false]);
  });

  it('a name matching reads as the same is the same subject (the eighth session)', () => {
    expect(
      lastOfBatch([
        item({ first_name: 'Sean', last_name: "O'Brien" }),
        item({ first_name: 'SEAN', last_name: 'OBRIEN' }),
      ]).valid,
    ).toBe(false);
    expect(
      lastOfBatch([
        item({ first_name: 'Maria Jose' }),
        item({ first_name: 'Maria', middle_name: 'Jose' }),
      ]).valid,
    ).toBe(false);
  });

  it('another unit or another person at the same address is not a duplicate', () => {
    expect(lastOfBatch([item({ unit: '1' }), item({ unit: '2' })]).valid).toBe(true);
    expect(lastOfBatch([item(), item({ first_name: 'Ana' })]).valid).toBe(true);
    // Sisters whose second given names differ are told apart by their dates of birth.
    expect(
      lastOfBatch([
        item({ first_name: 'Maria', middle_name: 'Jose', dob: '1990-01-01' }),
        item({ first_name: 'Maria Luisa', dob: '1992-05-05' }),
      ]).valid,
    ).toBe(true);
    // A junior and his senior.
    expect(
      lastOfBatch([item({ last_name: 'Garcia Jr' }), item({ last_name: 'Garcia' })]).valid,
    ).toBe(true);
  });

  it('a rejected item does not make a later lawful one a duplicate', () => {
    const v = lastOfBatch([item({ statute: '8 USC 1227' }), item()]);
    expect(v.valid).toBe(true);
  });

  it('a repeated request id on an already bad item keeps both reasons', () => {
    const v = rejected(
      lastOfBatch([
        item({ request_id: 'r-1' }),
        item({ request_id: ' r-1', statute: '8 USC 1227' }),
      ]),
    );
    expect(v.reasons).toEqual(['STATUTE_NOT_ALLOWED', 'REQUEST_ID_DUPLICATE']);
    expect(v.result).toBe('REJECTED_INCOMPLETE');
  });

  it('judging the same items in the same order gives the same verdicts', () => {
    const items = [
      item({ request_id: 'a' }),
      item({ request_id: 'b' }),
      item({ request_id: 'a', first_name: 'Ana' }),
      item({ request_id: 'c', street: '0000' }),
    ];
    const run = () => {
      const j = new BatchItemJudge(ctx);
      return items.map((i) => j.judge(i));
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(first.map((v) => (v.valid ? 'VALID' : v.reasons.join('+')))).toEqual([
      'VALID',
      'DUPLICATE_SUBJECT',
      'REQUEST_ID_DUPLICATE',
      'ADDRESS_PLACEHOLDER',
    ]);
  });
});

describe('validateItem: regressions', () => {
  it.each([
    ['street', { street: 'N/A' }, 'ADDRESS_PLACEHOLDER'],
    ['first name', { first_name: 'N/A' }, 'NAME_PLACEHOLDER'],
    ['first name without a letter', { first_name: '???' }, 'NAME_INVALID_CHARACTERS'],
    ['first name of apostrophes only', { first_name: 'ʼʼ' }, 'NAME_INVALID_CHARACTERS'],
    // A letter to Unicode that folding drops: matching would read no first name.
    ['first name of a sound mark only', { first_name: '\uFF9E' }, 'NAME_INVALID_CHARACTERS'],
    ['last name without a letter', { last_name: '.' }, 'NAME_INVALID_CHARACTERS'],
  ])('refuses a %s placeholder', (_what, over, code) => {
    expect(rejected(judge(item(over))).reasons).toContain(code);
  });

  it('reports a too-long or wrongly typed field once, not also as missing', () => {
    expect(rejected(judge(item({ street: '1 Main St '.repeat(30) }))).reasons).toEqual([
      'FIELD_TOO_LONG',
    ]);
    expect(rejected(judge(item({ last_name: 42 }))).reasons).toEqual(['FIELD_WRONG_TYPE']);
    expect(rejected(judge(item({ reason: ['x'] }))).reasons).toEqual(['FIELD_WRONG_TYPE']);
  });

  it('accepts territories, DC and military codes as states', () => {
    for (const state of ['PR', 'GU', 'VI', 'D.C.', 'AE', 'Puerto Rico']) {
      expect(judge(item({ state })).valid).toBe(true);
    }
  });
});
