import { describe, expect, it } from 'vitest';
import {
  buildGivenNameSexes,
  buildNicknameTables,
  GIVEN_NAME_LISTS,
  givenNameBearers,
  givenNameGroup,
  isListedGivenName,
  mayNameEitherSex,
  mayNameTwoPeople,
  givenNamesCompatible,
  parsePersonName,
  surnameKeys,
  TWO_NAMES_TABLE,
  type ParsedPersonName,
  type PersonNameInput,
} from './person-name.ts';
import { readList } from './tables.ts';

/** A name as it arrives in a request: last name and first name, middle optional. */
function buildName(last: string, first = 'Jose', middle?: string): PersonNameInput {
  return { first_name: first, middle_name: middle ?? null, last_name: last };
}

function keysOf(last: string): string[] {
  return surnameKeys(parsePersonName(buildName(last)));
}

function shareSurname(a: string, b: string): boolean {
  const kb = new Set(keysOf(b));
  return keysOf(a).some((k) => kb.has(k));
}

describe('parsePersonName', () => {
  it.each<[string, PersonNameInput, ParsedPersonName]>([
    // accents, case, spacing
    ['accents dropped', buildName('García', 'José'), p(['JOSE'], ['GARCIA'])],
    ['no accents written', buildName('GARCIA', 'JOSE'), p(['JOSE'], ['GARCIA'])],
    ['tilde and diaeresis', buildName('Zúñiga', 'Begoña'), p(['BEGONA'], ['ZUNIGA'])],
    ['cedilla, Portuguese', buildName('Conceição', 'João'), p(['JOAO'], ['CONCEICAO'])],
    ['extra spaces', buildName('  garcia  ', ' jose '), p(['JOSE'], ['GARCIA'])],
    // double surnames
    ['hyphenated double surname', buildName('García-López'), p(['JOSE'], ['GARCIA', 'LOPEZ'])],
    ['spaced double surname', buildName('Garcia Lopez'), p(['JOSE'], ['GARCIA', 'LOPEZ'])],
    ['connector y', buildName('García y López'), p(['JOSE'], ['GARCIA', 'LOPEZ'])],
    ['connector e (pt)', buildName('Silva e Souza'), p(['JOSE'], ['SILVA', 'SOUZA'])],
    // particles stay attached
    ['de la', buildName('de la Cruz'), p(['JOSE'], ['DE LA CRUZ'])],
    ['del', buildName('del Río'), p(['JOSE'], ['DEL RIO'])],
    ['dos (pt)', buildName('dos Santos'), p(['JOSE'], ['DOS SANTOS'])],
    ['de los', buildName('De Los Santos'), p(['JOSE'], ['DE LOS SANTOS'])],
    [
      'surname then particle surname',
      buildName('Silva dos Santos'),
      p(['JOSE'], ['SILVA', 'DOS SANTOS']),
    ],
    [
      'hyphen before particle',
      buildName('García-de la Cruz'),
      p(['JOSE'], ['GARCIA', 'DE LA CRUZ']),
    ],
    ['van der', buildName('van der Berg'), p(['JOSE'], ['VAN DER BERG'])],
    ['ST is SAINT', buildName('St. Louis'), p(['JOSE'], ['SAINT LOUIS'])],
    ['hyphenated SAINT', buildName('Saint-Louis'), p(['JOSE'], ['SAINT LOUIS'])],
    ['Filipino dela', buildName('Dela Cruz'), p(['JOSE'], ['DELA CRUZ'])],
    ['de la O (one-letter surname)', buildName('De la O'), p(['JOSE'], ['DE LA O'])],
    ['de la O then a surname', buildName('De la O García'), p(['JOSE'], ['DE LA O', 'GARCIA'])],
    ['particle word alone is a surname', buildName('Le', 'Thanh'), p(['THANH'], ['LE'])],
    ['apostrophe joins', buildName("O'Brien", 'Seán'), p(['SEAN'], ['OBRIEN'])],
    ['Mc written apart', buildName('Mc Donald', 'Ann'), p(['ANN'], ['MCDONALD'])],
    // generational suffixes
    ['Jr. in last name', buildName('Smith Jr.', 'John'), p(['JOHN'], ['SMITH'], 'JR')],
    ['Jr in first name', buildName('Smith', 'John Jr'), p(['JOHN'], ['SMITH'], 'JR')],
    ['Sr in middle name', buildName('Smith', 'John', 'Sr.'), p(['JOHN'], ['SMITH'], 'SR')],
    ['III', buildName('Smith III', 'John'), p(['JOHN'], ['SMITH'], 'III')],
    ['IV after comma', buildName('Smith, IV', 'John'), p(['JOHN'], ['SMITH'], 'IV')],
    ['2nd is II', buildName('Smith 2nd', 'John'), p(['JOHN'], ['SMITH'], 'II')],
    ['JUNIOR spelled out', buildName('Garcia Junior'), p(['JOSE'], ['GARCIA'], 'JR')],
    ['SENIOR spelled out', buildName('Garcia Senior'), p(['JOSE'], ['GARCIA'], 'SR')],
    ['Filho (pt) is JR', buildName('Silva Filho', 'João'), p(['JOAO'], ['SILVA'], 'JR')],
    [
      'suffix after particle surname',
      buildName('de la Cruz Jr.'),
      p(['JOSE'], ['DE LA CRUZ'], 'JR'),
    ],
    ['Junior alone is a given name', buildName('Silva', 'Junior'), p(['JUNIOR'], ['SILVA'])],
    [
      'Junior alone in the middle name',
      buildName('Silva', 'João', 'Junior'),
      p(['JOAO'], ['SILVA'], 'JR'),
    ],
    [
      'Filho alone in the middle name',
      buildName('Silva', 'João', 'Filho'),
      p(['JOAO'], ['SILVA'], 'JR'),
    ],
    // given names
    [
      'second given name in first field',
      buildName('Lopez', 'María Guadalupe'),
      p(['MARIA', 'GUADALUPE'], ['LOPEZ']),
    ],
    [
      'first and middle fields',
      buildName('Lopez', 'Maria', 'Guadalupe'),
      p(['MARIA', 'GUADALUPE'], ['LOPEZ']),
    ],
    [
      'given-name particles dropped',
      buildName('Lopez', 'María del Carmen'),
      p(['MARIA', 'CARMEN'], ['LOPEZ']),
    ],
    [
      'de los in given names',
      buildName('Lopez', 'Maria de los Angeles'),
      p(['MARIA', 'ANGELES'], ['LOPEZ']),
    ],
    [
      'das in given names (pt)',
      buildName('Silva', 'Maria das Graças'),
      p(['MARIA', 'GRACAS'], ['SILVA']),
    ],
    [
      'Ma. abbreviation kept',
      buildName('Lopez', 'Ma. Guadalupe'),
      p(['MA', 'GUADALUPE'], ['LOPEZ']),
    ],
    [
      'hyphenated given names, one compound name',
      buildName('Pierre', 'Jean-Baptiste'),
      p(['JEAN', 'BAPTISTE'], ['PIERRE'], null, true),
    ],
    [
      'a compound name and a middle name',
      buildName('Pierre', 'Marie - Claire', 'Rose'),
      p(['MARIE', 'CLAIRE', 'ROSE'], ['PIERRE'], null, true),
    ],
    [
      'spaced given names: maybe a first and a middle',
      buildName('Pierre', 'Jean Baptiste'),
      p(['JEAN', 'BAPTISTE'], ['PIERRE']),
    ],
    ['hyphenated initials', buildName('Pierre', 'J-C'), p(['J', 'C'], ['PIERRE'])],
    [
      'a hyphen in the middle-name field only',
      buildName('Pierre', 'Jean', 'Claude-Henri'),
      p(['JEAN', 'CLAUDE', 'HENRI'], ['PIERRE']),
    ],
    ['initials', buildName('Smith', 'J. R.'), p(['J', 'R'], ['SMITH'])],
    ['initial in middle field', buildName('Smith', 'John', 'Q.'), p(['JOHN', 'Q'], ['SMITH'])],
    // fields swapped in the request: parsed as written, both fields work
    [
      'surnames in the first-name field',
      buildName('José', 'García López'),
      p(['GARCIA', 'LOPEZ'], ['JOSE']),
    ],
    [
      'particle surname in the first-name field',
      buildName('José', 'De la Cruz'),
      p(['DE', 'CRUZ'], ['JOSE']),
    ],
    // empty
    ['empty fields', { first_name: '', middle_name: null, last_name: ' ' }, p([], [])],
    ['missing fields', {}, p([], [])],
  ])('%s', (_label, input, expected) => {
    expect(parsePersonName(input)).toEqual(expected);
  });

  it('parses a swap back when called with the fields exchanged', () => {
    const asWritten = buildName('José', 'de la Cruz');
    const exchanged = { first_name: asWritten.last_name, last_name: asWritten.first_name };
    expect(parsePersonName(exchanged)).toEqual(p(['JOSE'], ['DE LA CRUZ']));
  });

  it('gives the same result with or without accents', () => {
    expect(parsePersonName(buildName('Núñez del Río', 'Jesús'))).toEqual(
      parsePersonName(buildName('NUNEZ DEL RIO', 'JESUS')),
    );
  });
});

function p(
  given: string[],
  surnames: string[],
  suffix: ParsedPersonName['suffix'] = null,
  compoundGiven = false,
) {
  return { given, surnames, suffix, compoundGiven };
}

describe('surnameKeys', () => {
  it.each<[string, string[]]>([
    ['García', ['GARCIA']],
    ['García López', ['GARCIA LOPEZ', 'GARCIALOPEZ', 'GARCIA', 'LOPEZ']],
    ['de la Cruz', ['DE LA CRUZ', 'DELACRUZ', 'CRUZ']],
    [
      'García de la Cruz',
      ['GARCIA DE LA CRUZ', 'GARCIADELACRUZ', 'GARCIA', 'DE LA CRUZ', 'DELACRUZ', 'CRUZ'],
    ],
    ['De la O', ['DE LA O', 'DELAO']],
    ['Smith J', ['SMITH J', 'SMITHJ', 'SMITH']],
    ['', []],
  ])('%j → %j', (last, expected) => {
    expect(keysOf(last)).toEqual(expected);
  });

  it.each<[string, string, boolean]>([
    ['García', 'García López', true],
    ['López', 'García-López', true],
    ['Garcia', 'GARCÍA', true],
    ['de la Cruz', 'DelaCruz', true],
    ['de la Cruz', 'Dela Cruz', true],
    ['de la Cruz', 'Cruz', true],
    ['del Río', 'Rio', true],
    ['dos Santos', 'Santos', true],
    ['da Silva', 'Silva', true],
    ['St. Louis', 'Saint-Louis', true],
    ['García y López', 'García López', true],
    ['Garcia', 'Lopez', false],
    ['Smith J', 'Jones J', false],
    ['De la O', 'Ortiz', false],
  ])('%j and %j share a surname key: %s', (a, b, expected) => {
    expect(shareSurname(a, b)).toBe(expected);
  });
});

describe('givenNameGroup', () => {
  it.each<[string, string[]]>([
    ['PEPE', ['JOSE']],
    ['JOSE', ['JOSE']],
    ['Lupe', ['GUADALUPE']],
    ['CHUY', ['JESUS']],
    ['Nacho', ['IGNACIO']],
    ['XOCHITL', ['XOCHITL']],
    ['', []],
  ])('%j → %j', (token, expected) => {
    expect([...givenNameGroup(token)].sort()).toEqual(expected);
  });

  it('returns every formal name of a shared nickname', () => {
    const beto = givenNameGroup('BETO');
    for (const f of ['ALBERTO', 'ROBERTO', 'HUMBERTO', 'GILBERTO']) expect(beto.has(f)).toBe(true);
    expect(givenNameGroup('BILL').has('WILLIAM')).toBe(true);
  });
});

describe('givenNamesCompatible', () => {
  it.each<[string, string, boolean]>([
    // exact, accents
    ['JOSE', 'JOSE', true],
    ['José', 'JOSE', true],
    // Spanish hypocorisms
    ['PEPE', 'JOSE', true],
    ['JOSE', 'PEPE', true],
    ['CHEPE', 'JOSE', true],
    ['PACO', 'FRANCISCO', true],
    ['Pancho', 'Francisco', true],
    ['PACO', 'PANCHO', true],
    ['LUPE', 'GUADALUPE', true],
    ['LUPITA', 'LUPE', true],
    ['CHUY', 'JESUS', true],
    ['CHUCHO', 'CHUY', true],
    ['NACHO', 'IGNACIO', true],
    ['LOLA', 'DOLORES', true],
    ['DOLORES', 'DELORES', true],
    ['CONCHA', 'CONCEPCION', true],
    ['MEMO', 'GUILLERMO', true],
    ['LALO', 'EDUARDO', true],
    ['BETO', 'ALBERTO', true],
    ['BETO', 'ROBERTO', true],
    ['Toño', 'ANTONIO', true],
    ['QUIQUE', 'ENRIQUE', true],
    ['CHARO', 'ROSARIO', true],
    ['CUCA', 'REFUGIO', true],
    ['CHELA', 'GRACIELA', true],
    ['MA', 'MARIA', true],
    // Portuguese, French/Haitian
    ['Zé', 'JOSE', true],
    ['JOAOZINHO', 'João', true],
    ['TIAO', 'SEBASTIAO', true],
    ['JEANNOT', 'JEAN', true],
    ['MIMI', 'MARIE', true],
    ['Ti-Jean', 'Jean-Baptiste', true],
    // English list
    ['BILL', 'WILLIAM', true],
    ['WILL', 'WILLIAM', true],
    ['PEGGY', 'MARGARET', true],
    ['PEG', 'PEGGY', true],
    // not compatible
    ['JOSE', 'JOSEFA', false],
    ['PEPE', 'PEPA', false],
    ['MARIA', 'MARIO', false],
    ['ALBERTO', 'ROBERTO', false],
    ['ROBERT', 'WILLIAM', false],
    ['DANIEL', 'DANIELA', false],
    ['PACO', 'PEPE', false],
    ['LUPE', 'CHUY', false],
    ['JOSE', 'JOSEPH', false],
    // Two names with nicknames of their own, met only under a longer name.
    ['JOHN', 'NATHAN', false],
    ['LINDA', 'ROSA', false],
    ['MARIA', 'MARY', false],
    // ... which costs two nicknames of one name that have nicknames of their own.
    ['WILL', 'BILLY', false],
    ['J', 'JOSE', false],
    ['', '', false],
  ])('%j ~ %j: %s', (a, b, expected) => {
    expect(givenNamesCompatible(a, b)).toBe(expected);
    expect(givenNamesCompatible(b, a)).toBe(expected);
  });
});

describe('nickname tables', () => {
  const curated = readList('nicknames/hispanic-lusophone-french.csv');

  it('the curated list has the shared format and at least 120 distinct rows', () => {
    expect(curated[0]).toBe('name1,relationship,name2');
    const rows = curated.slice(1);
    expect(rows.length).toBeGreaterThanOrEqual(120);
    expect(new Set(rows).size).toBe(rows.length);
    for (const row of rows) expect(row).toMatch(/^[a-z][a-z -]*,has_nickname,[a-z][a-z -]*$/);
  });

  it('the shared English list is loaded too', () => {
    expect(readList('nicknames/names.csv').length).toBeGreaterThan(2600);
  });

  it('rejects a malformed row', () => {
    expect(() =>
      buildNicknameTables([{ name: 'bad.csv', lines: ['name1,relationship,name2', 'jose;pepe'] }]),
    ).toThrow(/bad.csv/);
  });

  it('does not join two formal names through a nickname that is a shortening', () => {
    const t = buildNicknameTables([
      {
        name: 'test.csv',
        lines: ['william,has_nickname,bill', 'bill,has_nickname,robert', 'robert,has_nickname,bob'],
      },
    ]);
    expect(t.canonical.has('WILLIAM')).toBe(true);
    expect(t.canonical.has('BILL')).toBe(false);
  });
});

describe('rows that join two names borne in their own right', () => {
  const lines = [
    'jonathan,has_nickname,john',
    'jonathan,has_nickname,nathan',
    'john,has_nickname,jack',
    'nathan,has_nickname,nate',
    'william,has_nickname,bill',
  ];

  it('reads the pairs, each a row of the tables', () => {
    const t = buildNicknameTables([{ name: 'test.csv', lines }], new Map(), {
      name: 'two.csv',
      lines: ['name1,name2', '# a comment', 'john,jonathan'],
    });
    expect([...t.twoNames]).toEqual(['JOHN|JONATHAN']);
    expect(t.formals.has('JOHN') && t.formals.has('NATHAN')).toBe(true);
  });

  it('rejects a pair the tables do not join, numbering the entry', () => {
    const build = (row: string) => () =>
      buildNicknameTables([{ name: 'test.csv', lines }], new Map(), {
        name: 'two.csv',
        lines: ['name1,name2', 'john,jonathan', row],
      });
    expect(build('john,nathan')).toThrow(/two\.csv entry 2: .*john,nathan/);
    expect(build('john')).toThrow(/two\.csv entry 2/);
  });

  it('marks the engine’s pairs', () => {
    expect(readList(TWO_NAMES_TABLE)[0]).toBe('name1,name2');
    expect(mayNameTwoPeople('John', 'Jonathan')).toBe(true);
    expect(mayNameTwoPeople('MELISSA', 'LISA')).toBe(true);
    expect(mayNameTwoPeople('BILL', 'WILLIAM')).toBe(false);
    // Through the formal names each belongs to: JOSH is JOSHUA's, and JOSHUA and JOE are
    // listed; not when one is a nickname of the other's own name (MIKE is MICHAEL's,
    // whatever MIGUEL's it is too).
    expect(mayNameTwoPeople('JOSH', 'JOE')).toBe(true);
    expect(mayNameTwoPeople('MIKE', 'MICHAEL')).toBe(false);
    expect(mayNameTwoPeople('JOHNNY', 'JOHN')).toBe(false);
  });
});

describe('who bears a given name (ADR 0013)', () => {
  it('merges the female and male lists, the curated rows replacing them', () => {
    const sexes = buildGivenNameSexes(
      ['Jean', 'Bill', 'Wilma'],
      ['Jean', 'Bill', 'William'],
      ['name,sex', '# a comment', 'bill,M', 'josue,M', 'guadalupe,MF'],
    );
    expect(Object.fromEntries(sexes)).toEqual({
      JEAN: 'MF',
      BILL: 'M',
      WILMA: 'F',
      WILLIAM: 'M',
      JOSUE: 'M',
      GUADALUPE: 'MF',
    });
  });

  it('rejects a curated row without a sex it knows', () => {
    expect(() => buildGivenNameSexes([], [], ['name,sex', 'josue,male'])).toThrow(
      /curated\.csv.*josue,male/,
    );
    expect(() => buildGivenNameSexes([], [], ['name,sex', 'josue'])).toThrow(/curated\.csv/);
  });

  it('leaves out a nickname row joining a man’s name to a woman’s', () => {
    const sexes = buildGivenNameSexes(['Wilma', 'Pat'], ['William', 'Pat', 'Bill'], []);
    const t = buildNicknameTables(
      [
        {
          name: 'test.csv',
          lines: [
            'wilma,has_nickname,william',
            'william,has_nickname,bill',
            'patricia,has_nickname,pat',
          ],
        },
      ],
      sexes,
    );
    expect(t.linked.get('WILMA')).toBeUndefined();
    expect([...t.linked.get('WILLIAM')!]).toEqual(['BILL']);
    expect([...t.linked.get('PAT')!]).toEqual(['PATRICIA']);
  });

  it('reads the lists in data/given-names', () => {
    expect(readList(GIVEN_NAME_LISTS.female).length).toBeGreaterThan(4900);
    expect(readList(GIVEN_NAME_LISTS.male).length).toBeGreaterThan(3800);
    const curated = readList(GIVEN_NAME_LISTS.curated);
    expect(curated[0]).toBe('name,sex');
    for (const row of curated.slice(1)) expect(row).toMatch(/^[a-z][a-z-]*,(M|F|MF)$/);
    expect(givenNameBearers('Patricia')).toBe('F');
    expect(givenNameBearers('Patrick')).toBe('M');
    expect(givenNameBearers('Pat')).toBe('MF');
    expect(givenNameBearers('Josué')).toBe('M');
    expect(givenNameBearers('Hùng')).toBe('M');
    expect(givenNameBearers('Min')).toBe('MF');
    expect(givenNameBearers('Xqzt')).toBeUndefined();
    expect(isListedGivenName('MARTA')).toBe(true);
    expect(isListedGivenName('MARIQ')).toBe(false);
  });

  it.each([
    ['PAT', 'PATRICIA', true],
    ['ALEX', 'ALEXANDER', true],
    ['JEAN', 'JANE', true],
    ['BILL', 'WILLIAM', false],
    ['PEPE', 'JOSE', false],
    ['LUPE', 'GUADALUPE', false],
    // Unknown to the lists, linked by the tables to a man's name and a woman's.
    ['STEPH', 'STEVE', true],
    ['STEPH', 'STEPHEN', true],
    ['ALE', 'ALEJANDRO', true],
  ])('%s and %s may name a man and a woman: %s', (a, b, expected) => {
    expect(mayNameEitherSex(a, b)).toBe(expected);
    expect(mayNameEitherSex(b, a)).toBe(expected);
  });

  it('no longer joins the rows that name two people', () => {
    expect(givenNamesCompatible('WILMA', 'WILLIAM')).toBe(false);
    expect(givenNamesCompatible('JACK', 'JACQUELINE')).toBe(false);
    expect(givenNamesCompatible('JACK', 'JOHN')).toBe(true);
    expect(givenNamesCompatible('RAFA', 'RAFAEL')).toBe(true);
  });
});
