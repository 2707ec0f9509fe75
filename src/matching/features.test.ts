import { describe, expect, it } from 'vitest';
import { blockingKeys, personFeatures } from './features.ts';

describe('personFeatures', () => {
  it('normalises names and the address alike for requests and records', () => {
    const f = personFeatures({
      first_name: 'José',
      middle_name: '',
      last_name: 'de la Cruz Jr.',
      street: '12 North Main Street Apt 4b',
      city: 'Houston',
      state: 'Texas',
      zip: '77001-1234',
      dob: '1980-02-03',
    });
    expect(f).toMatchObject({
      given: ['JOSE'],
      suffix: 'JR',
      houseNumber: '12',
      streetName: 'N MAIN ST',
      unit: '4B',
      city: 'HOUSTON',
      state: 'TX',
      zip5: '77001',
      dob: '1980-02-03',
    });
    expect(f.surnameKeys).toEqual(expect.arrayContaining(['DE LA CRUZ', 'CRUZ']));
  });
});

describe('blockingKeys', () => {
  it('builds the union of ZIP+house and street word+house keys', () => {
    const f = personFeatures({
      first_name: 'Ana',
      last_name: 'García López',
      street: '9 Oak St',
      city: 'Reno',
      state: 'NV',
      zip: '89501',
    });
    expect(blockingKeys(f)).toEqual(['z|89501|9', 's|NV|OAK|9']);
  });

  it('still has a key without a ZIP (city and state only)', () => {
    const f = personFeatures({
      first_name: 'Ana',
      last_name: 'Ruiz',
      street: '9 Oak St',
      city: 'Reno',
      state: 'NV',
      zip: '',
    });
    expect(blockingKeys(f)).toEqual(['s|NV|OAK|9']);
  });
});
