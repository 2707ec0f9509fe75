import { describe, expect, it } from 'vitest';
import { buildAgreement, buildAgreementV1 } from '../../test/support/builders.ts';
import {
  addMonths,
  AgreementSchema,
  isActiveOn,
  readAgreement,
  roleMaySignOn,
  safeguardsProblem,
} from './agreement.ts';

const problems = (doc: unknown) => {
  const r = AgreementSchema.safeParse(doc);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

const cert = (party: string, on = '2027-03-01') => ({
  party,
  certified_by: 'A. Official',
  certified_on: on,
  evidence: 'Compliance certification 2027-1',
});

const base = () =>
  buildAgreement({
    effective_from: '2026-01-01',
    expires_at: '2027-06-30',
    signatory_roles: [
      { role: 'agency_head', valid_from: '2026-01-01', valid_to: '2027-06-30', delegation: null },
    ],
  });

describe('addMonths', () => {
  it('adds calendar months, clamped to the end of a short month', () => {
    expect(addMonths('2026-01-01', 18)).toBe('2027-07-01');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2027-12-15', 2)).toBe('2028-02-15');
  });
});

describe('agreement format 2', () => {
  it('accepts the builder document and keeps format 1 loadable', () => {
    expect(problems(base())).toEqual([]);
    const v1 = AgreementSchema.parse(buildAgreementV1());
    const read = readAgreement(v1);
    expect(read).toMatchObject({
      format: 1,
      recipients: null,
      monthly_item_cap: null,
      safeguards: null,
      renewal: null,
    });
    expect(read.signatory_roles).toEqual([
      {
        role: 'agency_head',
        valid_from: v1.effective_from,
        valid_to: v1.expires_at,
        delegation: null,
      },
    ]);
  });

  it('runs at most 18 months, format 1 included', () => {
    expect(problems({ ...base(), expires_at: '2027-07-01' })).toEqual([]);
    expect(problems({ ...base(), expires_at: '2027-07-02' })).toEqual([
      expect.stringMatching(/^expires_at: an agreement runs at most 18 months/),
    ]);
    expect(
      problems(buildAgreementV1({ effective_from: '2026-01-01', expires_at: '2028-01-01' })),
    ).toEqual([expect.stringMatching(/^expires_at: an agreement runs at most 18 months/)]);
  });

  it('has one renewal of at most 12 months, certified by both parties before expiry', () => {
    const renewal = (over: Record<string, unknown> = {}) => ({
      ...base(),
      renewal: {
        expires_at: '2028-06-30',
        certifications: [cert('requesting_agency'), cert('tax_agency')],
        ...over,
      },
    });
    expect(problems(renewal())).toEqual([]);
    expect(isActiveOn(readAgreement(AgreementSchema.parse(renewal())), '2028-06-30')).toBe(true);
    expect(isActiveOn(readAgreement(AgreementSchema.parse(renewal())), '2028-07-01')).toBe(false);
    expect(problems(renewal({ expires_at: '2028-07-01' }))).toEqual([
      'renewal.expires_at: the renewal runs at most 12 months after expires_at',
    ]);
    expect(problems(renewal({ certifications: [cert('tax_agency')] }))).toContain(
      'renewal.certifications: both parties certify compliance',
    );
    expect(problems(renewal({ certifications: [cert('tax_agency'), cert('tax_agency')] }))).toEqual(
      [
        'renewal.certifications: one compliance certification from each party (requesting_agency, tax_agency)',
      ],
    );
    expect(
      problems(
        renewal({ certifications: [cert('tax_agency'), cert('requesting_agency', '2027-07-01')] }),
      ),
    ).toEqual([
      'renewal.certifications.1.certified_on: a renewal is certified before the agreement expires',
    ]);
    // One renewal: a list of renewals is not the format.
    expect(problems({ ...base(), renewal: [renewal().renewal] })).not.toEqual([]);
  });

  it('refuses unknown fields and windows that end before they start', () => {
    expect(problems({ ...base(), monthly_cap: 5 })).not.toEqual([]);
    expect(
      problems({
        ...base(),
        signatory_roles: [
          {
            role: 'designated_official',
            valid_from: '2026-05-01',
            valid_to: '2026-04-01',
            delegation: {
              delegated_by: 'agency_head',
              evidence: 'Delegation order 2026-3',
              valid_from: '2026-05-01',
              valid_to: '2026-04-30',
            },
          },
        ],
      }),
    ).toEqual([
      'signatory_roles.0.valid_to: valid_to is before valid_from',
      'signatory_roles.0.delegation.valid_to: valid_to is before valid_from',
    ]);
  });
});

describe('roleMaySignOn', () => {
  const a = readAgreement(
    AgreementSchema.parse({
      ...base(),
      signatory_roles: [
        { role: 'agency_head', valid_from: '2026-01-01', valid_to: '2027-06-30', delegation: null },
        {
          role: 'designated_official',
          valid_from: '2026-01-01',
          valid_to: '2027-06-30',
          delegation: {
            delegated_by: 'agency_head',
            evidence: 'Delegation order 2026-3',
            valid_from: '2026-03-01',
            valid_to: '2026-08-31',
          },
        },
      ],
    }),
  );
  it('needs the role in its window and its delegation in its own', () => {
    expect(roleMaySignOn(a, 'agency_head', '2026-02-01')).toBe(true);
    expect(roleMaySignOn(a, 'designated_official', '2026-02-01')).toBe(false);
    expect(roleMaySignOn(a, 'designated_official', '2026-03-01')).toBe(true);
    expect(roleMaySignOn(a, 'designated_official', '2026-09-01')).toBe(false);
    expect(roleMaySignOn(a, 'agency_head', '2027-07-01')).toBe(false);
    expect(roleMaySignOn(a, 'inspector_general', '2026-03-01')).toBe(false);
  });
});

describe('safeguardsProblem', () => {
  const at = (safeguards: unknown) =>
    readAgreement(AgreementSchema.parse({ ...base(), safeguards }));
  const ssr = { ssr_approved_on: '2026-01-10', ssr_valid_until: '2026-12-31' };
  it('is in order with a current SSR and no overdue corrective action', () => {
    expect(safeguardsProblem(at(ssr), '2026-06-01')).toBeNull();
    expect(
      safeguardsProblem(
        at({
          ...ssr,
          corrective_actions: [{ id: 'CAP-1', due_on: '2026-06-01', closed_on: null }],
        }),
        '2026-06-01',
      ),
    ).toBeNull();
  });
  it('blocks before approval, after the SSR lapses, and while an action is overdue', () => {
    expect(safeguardsProblem(at(ssr), '2026-01-09')).toMatch(/approved only from 2026-01-10/);
    expect(safeguardsProblem(at(ssr), '2027-01-01')).toMatch(/current until 2026-12-31/);
    const overdue = at({
      ...ssr,
      corrective_actions: [
        { id: 'CAP-1', due_on: '2026-05-31', closed_on: null },
        { id: 'CAP-2', due_on: '2026-05-01', closed_on: '2026-05-20' },
        { id: 'CAP-3', due_on: '2026-05-01', closed_on: '2026-06-20' },
      ],
    });
    expect(safeguardsProblem(overdue, '2026-06-01')).toBe(
      'corrective actions CAP-1, CAP-3 overdue',
    );
    expect(safeguardsProblem(overdue, '2026-06-25')).toBe('corrective action CAP-1 overdue');
  });
  it('blocks a format-1 agreement, which records no safeguards', () => {
    expect(
      safeguardsProblem(readAgreement(AgreementSchema.parse(buildAgreementV1())), '2026-06-01'),
    ).toMatch(/records no safeguards/);
  });
});
