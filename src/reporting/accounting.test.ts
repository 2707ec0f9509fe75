import { describe, expect, it } from 'vitest';
import {
  accountingDigest,
  inspectionRecords,
  jctReportCsv,
  reportYear,
  tinSubject,
  type JctReport,
} from './accounting.ts';

const hash = (s: string) => `h(${s})`;

describe('the accounting', () => {
  it('normalises a TIN to its subject, and refuses anything else without repeating it', () => {
    expect(tinSubject('123-45-6789')).toBe('tin:123456789');
    expect(tinSubject(' 123456789 ')).toBe('tin:123456789');
    for (const bad of ['12345678', '1234567890', '12345678x', '']) {
      expect(() => tinSubject(bad)).toThrow(
        expect.objectContaining({
          code: 'TIN_INVALID',
          message: expect.not.stringContaining(bad || '@'),
        }),
      );
    }
  });

  it('writes one row per item and return read, marking the top candidate, with no TIN', () => {
    const records = inspectionRecords(
      [
        { position: 0, item: { request_id: 'r-0', statute: 'S1', reason: 'why 0' } },
        { position: 1, item: { request_id: 'r-1', statute: 'S1', reason: 'why 1' } },
        { position: 2, item: { statute: 7, reason: null } },
      ],
      [
        {
          position: 0,
          inspected: ['000000001', '000000002', '000000001'],
          evidence: { c: [['000000002'], ['000000001']] },
        },
        { position: 1, inspected: [], evidence: { c: [] } },
        { position: 2, inspected: ['000000003'], evidence: { c: [['000000003']] } },
      ],
      hash,
    );
    expect(records.inspections).toEqual([
      { position: 0, subject_hash: 'h(tin:000000001)', best: false },
      { position: 0, subject_hash: 'h(tin:000000002)', best: true },
      { position: 2, subject_hash: 'h(tin:000000003)', best: true },
    ]);
    // One request row per item that read a return; none for an item that read none.
    expect(records.requests).toEqual([
      { position: 0, request_id: 'r-0', statute: 'S1', reason: 'why 0' },
      { position: 2, request_id: null, statute: '', reason: '' },
    ]);
  });

  it('digests rows independently of their order, and differently when one changes', () => {
    const rows = [
      { position: 2, subject_hash: 'b' },
      { position: 1, subject_hash: 'z' },
      { position: 2, subject_hash: 'a' },
    ];
    const d = accountingDigest(rows);
    expect(d).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(accountingDigest([...rows].reverse())).toBe(d);
    expect(accountingDigest(rows.slice(1))).not.toBe(d);
    expect(accountingDigest([...rows.slice(1), { position: 3, subject_hash: 'b' }])).not.toBe(d);
    expect(accountingDigest([])).toBe('47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
  });

  it('takes a four-digit year', () => {
    expect(reportYear('2026')).toBe(2026);
    for (const bad of ['26', '20260', 'abcd', '1999']) {
      expect(() => reportYear(bad)).toThrow(expect.objectContaining({ code: 'YEAR_INVALID' }));
    }
  });

  it('writes the yearly report as CSV, one line per agency', () => {
    const report: JctReport = {
      format: 'taxgate-jct-report/1',
      year: 2026,
      generated_at: '2027-01-02T00:00:00.000Z',
      agencies: [
        {
          requesting_agency: 'DHS/ICE',
          batches: 2,
          requests: 10,
          inspections: 7,
          disclosures: 3,
          taxpayers_inspected: 6,
          taxpayers_disclosed: 3,
          statutes: [
            { statute: '8 USC 1253(a)(1)(A)', requests: 5, inspections: 7 },
            { statute: 'x,y', requests: 1, inspections: 1 },
          ],
        },
      ],
    };
    expect(jctReportCsv(report)).toBe(
      'year,requesting_agency,batches,requests,inspections,disclosures,taxpayers_inspected,taxpayers_disclosed,statutes\n' +
        '2026,DHS/ICE,2,10,7,3,6,3,"8 USC 1253(a)(1)(A)=5;x,y=1"\n',
    );
  });
});
