import { describe, expect, it } from 'vitest';
import type { ValidItem } from '../policy/item-rules.ts';
import { decide, matchKeysFor, type Candidate } from './exact-matcher.ts';
import { addressKeys } from './normalize/address.ts';
import { nameKeys } from './normalize/name.ts';

const request = (over: Partial<ValidItem> = {}): ValidItem => ({
  request_id: 'r-1',
  first_name: 'María',
  middle_name: '',
  last_name: 'García',
  street: '123 North Main Street Apt 4b',
  unit: '',
  city: 'Houston',
  state: 'Texas',
  zip: '77001-1234',
  dob: null,
  ...over,
});

interface Row {
  first_name: string;
  last_name: string;
  street: string;
  unit: string;
  city: string;
  state: string;
  zip: string;
}

/** A taxpayer's address of record, written the way a return might have it. */
const candidate = (tin: string, over: Partial<Row> = {}): Candidate => {
  const row: Row = {
    first_name: 'MARIA',
    last_name: 'GARCIA',
    street: '123 N Main St',
    unit: '#4B',
    city: 'HOUSTON',
    state: 'TX',
    zip: '77001',
    ...over,
  };
  return { position: 0, tin, ...nameKeys(row), ...addressKeys(row) };
};

const keys = (over: Partial<ValidItem> = {}) => matchKeysFor(0, request(over));

describe('decide', () => {
  it('one agreeing candidate → CONFIRMED, every candidate counted as inspected', () => {
    const p = decide(keys(), [
      candidate('111'),
      candidate('222', { first_name: 'Jose' }),
      candidate('333', { street: '125 N Main St' }),
    ]);
    expect(p).toEqual({
      position: 0,
      outcome: 'CONFIRMED',
      reasons: [],
      inspected: ['111', '222', '333'],
    });
  });

  it('two returns of the same TIN agreeing are still one taxpayer → CONFIRMED', () => {
    const p = decide(keys(), [candidate('111'), candidate('111')]);
    expect(p.outcome).toBe('CONFIRMED');
    expect(p.inspected).toEqual(['111']);
  });

  it('two TINs agreeing → NOT_CONFIRMED, MATCH_AMBIGUOUS', () => {
    const p = decide(keys(), [candidate('111'), candidate('222')]);
    expect(p.outcome).toBe('NOT_CONFIRMED');
    expect(p.reasons).toEqual(['MATCH_AMBIGUOUS']);
    expect(p.inspected).toEqual(['111', '222']);
  });

  it.each<[string, Partial<Row>]>([
    ['a conflicting unit', { unit: '5A' }],
    ['a unit the request does not have', { unit: '' }],
    ['another house number', { street: '125 N Main St' }],
    ['another street', { street: '123 S Main St' }],
    ['another ZIP', { zip: '77002' }],
    ['another given name (household member)', { first_name: 'Jose' }],
    ['another surname', { last_name: 'Lopez' }],
  ])('%s → NOT_CONFIRMED, MATCH_NONE', (_label, over) => {
    const p = decide(keys(), [candidate('111', over)]);
    expect(p.outcome).toBe('NOT_CONFIRMED');
    expect(p.reasons).toEqual(['MATCH_NONE']);
    expect(p.inspected).toEqual(['111']);
  });

  it('a unit on the candidate only → NOT_CONFIRMED', () => {
    const p = decide(keys({ street: '123 N Main St' }), [candidate('111', { unit: '4B' })]);
    expect(p.outcome).toBe('NOT_CONFIRMED');
  });

  it('no candidates → NOT_CONFIRMED, MATCH_NONE, nothing inspected', () => {
    expect(decide(keys(), [])).toEqual({
      position: 0,
      outcome: 'NOT_CONFIRMED',
      reasons: ['MATCH_NONE'],
      inspected: [],
    });
  });

  describe('a request without a ZIP uses city and state', () => {
    const noZip = () => keys({ zip: '' });

    it('city and state agree → CONFIRMED whatever the candidate ZIP', () => {
      expect(decide(noZip(), [candidate('111', { zip: '77099' })]).outcome).toBe('CONFIRMED');
    });

    it('another city → NOT_CONFIRMED', () => {
      expect(decide(noZip(), [candidate('111', { city: 'Dallas' })]).outcome).toBe('NOT_CONFIRMED');
    });

    it('another state → NOT_CONFIRMED', () => {
      expect(decide(noZip(), [candidate('111', { state: 'LA' })]).outcome).toBe('NOT_CONFIRMED');
    });

    it('a request with a ZIP ignores a city written differently', () => {
      expect(decide(keys(), [candidate('111', { city: 'Houston Heights' })]).outcome).toBe(
        'CONFIRMED',
      );
    });
  });

  it('keeps the position of the item', () => {
    const p = decide(matchKeysFor(7, request()), [{ ...candidate('111'), position: 7 }]);
    expect(p.position).toBe(7);
  });
});
