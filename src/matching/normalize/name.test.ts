import { describe, expect, it } from 'vitest';
import { nameKeys } from './name.ts';
import { foldText } from './text.ts';

describe('foldText', () => {
  it.each([
    ['  Zúñiga-Pérez ', 'ZUNIGA PEREZ'],
    ['José', 'JOSE'],
    ['JOSÉ', 'JOSE'],
    ['Jose\u0301', 'JOSE'],
    ['François', 'FRANCOIS'],
    ['São Paulo', 'SAO PAULO'],
    ['Müller', 'MULLER'],
    ["O'Brien", 'O BRIEN'],
    ['de la Cruz', 'DE LA CRUZ'],
    ['St.  John,  Jr.', 'ST JOHN JR'],
    ['ＭＡＲＩＡ', 'MARIA'],
    ['ﬁnn', 'FINN'],
    ['tab\tand\nnewline', 'TAB AND NEWLINE'],
    ['123 Main St #4B', '123 MAIN ST #4B'],
    ['123 1/2', '123 1/2'],
    ['---', ''],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(foldText(input)).toBe(expected);
  });

  it('is idempotent', () => {
    for (const s of ['  Zúñiga-Pérez ', "O'Brien", 'Apt. 4-B']) {
      expect(foldText(foldText(s))).toBe(foldText(s));
    }
  });
});

describe('nameKeys', () => {
  it.each([
    [
      { first_name: 'José', last_name: 'de la Cruz' },
      { first_key: 'JOSE', last_key: 'DE LA CRUZ' },
    ],
    [
      { first_name: 'María José', last_name: 'Zúñiga-Pérez' },
      { first_key: 'MARIA JOSE', last_key: 'ZUNIGA PEREZ' },
    ],
    [
      { first_name: ' maria ', last_name: 'GARCÍA' },
      { first_key: 'MARIA', last_key: 'GARCIA' },
    ],
    [
      { first_name: 'Seán', last_name: "O'Brien" },
      { first_key: 'SEAN', last_key: 'O BRIEN' },
    ],
    [
      { first_name: '', last_name: 'Nguyễn' },
      { first_key: '', last_key: 'NGUYEN' },
    ],
  ])('%j → %j', (name, expected) => {
    expect(nameKeys(name)).toEqual(expected);
  });

  it('accents and case do not separate the same name', () => {
    expect(nameKeys({ first_name: 'MARÍA', last_name: 'garcía' })).toEqual(
      nameKeys({ first_name: 'Maria', last_name: 'Garcia' }),
    );
  });
});
