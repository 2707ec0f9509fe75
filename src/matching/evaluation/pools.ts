/**
 * Name, street and place pools of the evaluation store (docs/matching-eval.md).
 *
 * These lists are test data for the generators, deliberately kept apart from the
 * matching engine's own tables (data/): an engine evaluated against the very
 * nickname list it was built from would only be tested against itself.
 */

/** Where a household's names come from; each origin has its own pools and habits. */
export type Origin =
  'hispanic' | 'english' | 'vietnamese' | 'chinese' | 'haitian' | 'portuguese' | 'other';

export type Sex = 'F' | 'M';

/** Share of households per origin (sums to 1). */
export const ORIGIN_WEIGHTS: [Origin, number][] = [
  ['hispanic', 0.4],
  ['english', 0.25],
  ['vietnamese', 0.08],
  ['chinese', 0.07],
  ['haitian', 0.08],
  ['portuguese', 0.05],
  ['other', 0.07],
];

/** Given names per origin and sex, most frequent first (picked with a skew towards the top). */
export const GIVEN: Record<Origin, Record<Sex, string[]>> = {
  hispanic: {
    M: [
      'José',
      'Juan',
      'Luis',
      'Carlos',
      'Jesús',
      'Francisco',
      'Miguel',
      'Antonio',
      'Manuel',
      'Pedro',
      'Alejandro',
      'Jorge',
      'Ricardo',
      'Roberto',
      'Eduardo',
      'Fernando',
      'Rafael',
      'Raúl',
      'Ramón',
      'Héctor',
      'Javier',
      'Sergio',
      'Guillermo',
      'Enrique',
      'Ignacio',
      'Andrés',
      'Martín',
      'Óscar',
      'Rubén',
      'Joaquín',
      'Ángel',
      'Alberto',
      'Mario',
      'Daniel',
      'Gabriel',
    ],
    F: [
      'María',
      'Guadalupe',
      'Ana',
      'Rosa',
      'Carmen',
      'Dolores',
      'Concepción',
      'Rosario',
      'Mercedes',
      'Josefa',
      'Juana',
      'Francisca',
      'Antonia',
      'Luisa',
      'Sofía',
      'Lucía',
      'Isabel',
      'Teresa',
      'Patricia',
      'Verónica',
      'Mónica',
      'Gabriela',
      'Daniela',
      'Leticia',
      'Elena',
      'Inés',
      'Beatriz',
      'Alejandra',
      'Claudia',
      'Adriana',
      'Manuela',
    ],
  },
  english: {
    M: [
      'James',
      'John',
      'Robert',
      'Michael',
      'William',
      'David',
      'Richard',
      'Joseph',
      'Thomas',
      'Charles',
      'Christopher',
      'Daniel',
      'Matthew',
      'Anthony',
      'Edward',
      'Kenneth',
      'Steven',
      'Timothy',
      'Jeffrey',
      'Gregory',
      'Benjamin',
      'Samuel',
      'Patrick',
      'Raymond',
      'Dennis',
      'Gerald',
      'Lawrence',
      'Nicholas',
      'Alexander',
      'Jonathan',
    ],
    F: [
      'Mary',
      'Patricia',
      'Jennifer',
      'Linda',
      'Elizabeth',
      'Barbara',
      'Susan',
      'Jessica',
      'Sarah',
      'Karen',
      'Margaret',
      'Nancy',
      'Deborah',
      'Dorothy',
      'Katherine',
      'Rebecca',
      'Sandra',
      'Donna',
      'Carol',
      'Michelle',
      'Cynthia',
      'Kimberly',
      'Pamela',
      'Christine',
      'Victoria',
      'Abigail',
      'Theresa',
      'Judith',
      'Virginia',
      'Rachel',
      'Danielle',
      'Roberta',
      'Josephine',
    ],
  },
  vietnamese: {
    M: [
      'Minh',
      'Huy',
      'Dũng',
      'Hùng',
      'Tuấn',
      'Khoa',
      'Long',
      'Nam',
      'Phúc',
      'Quang',
      'Thanh',
      'Trung',
      'Việt',
      'Bảo',
      'Đức',
    ],
    F: [
      'Lan',
      'Linh',
      'Mai',
      'Hương',
      'Hạnh',
      'Thảo',
      'Trang',
      'Ngọc',
      'Phương',
      'Thu',
      'Hoa',
      'Hằng',
      'Nhung',
      'Tuyết',
      'Yến',
    ],
  },
  chinese: {
    M: [
      'Wei',
      'Jian',
      'Lei',
      'Jun',
      'Tao',
      'Qiang',
      'Yong',
      'Jie',
      'Bo',
      'Xiaoming',
      'Hao',
      'Zhiwei',
      'Chen Long',
    ],
    F: [
      'Fang',
      'Jing',
      'Min',
      'Hui',
      'Yan',
      'Hong',
      'Ying',
      'Mei',
      'Ling',
      'Xiu Ying',
      'Li Hua',
      'Xiaoyan',
      'Yuting',
    ],
  },
  haitian: {
    M: [
      'Jean',
      'Pierre',
      'Jean-Claude',
      'Jean-Robert',
      'Wilner',
      'Frantz',
      'Reginald',
      'Jacques',
      'Emmanuel',
      'Wisly',
      'Ronald',
      'Stéphane',
      'Fritz',
      'Gérard',
      'Jean-Baptiste',
    ],
    F: [
      'Marie',
      'Marie-Claire',
      'Fabiola',
      'Guerline',
      'Jocelyne',
      'Nadège',
      'Mirlande',
      'Roseline',
      'Widline',
      'Daphné',
      'Yolande',
      'Micheline',
      'Esther',
      'Jeanne',
      'Marie-Ange',
    ],
  },
  portuguese: {
    M: [
      'João',
      'José',
      'Antônio',
      'Francisco',
      'Paulo',
      'Pedro',
      'Lucas',
      'Luiz',
      'Marcos',
      'Rafael',
      'Sebastião',
      'Thiago',
    ],
    F: [
      'Maria',
      'Ana',
      'Francisca',
      'Antônia',
      'Adriana',
      'Juliana',
      'Márcia',
      'Fernanda',
      'Aline',
      'Conceição',
      'Joana',
      'Ana Paula',
    ],
  },
  other: {
    M: [
      'Amit',
      'Raj',
      'Anil',
      'Kwame',
      'Chidi',
      'Oluwaseun',
      'Ivan',
      'Sergei',
      'Mohammed',
      'Ahmed',
      'Hassan',
      'Tomasz',
    ],
    F: [
      'Priya',
      'Sunita',
      'Ngozi',
      'Ama',
      'Fatoumata',
      'Olga',
      'Tatiana',
      'Fatima',
      'Aisha',
      'Agnieszka',
      'Yasmin',
    ],
  },
};

/** Single surnames per origin, most frequent first. */
export const SURNAMES: Record<Origin, string[]> = {
  hispanic: [
    'García',
    'Rodríguez',
    'Martínez',
    'Hernández',
    'López',
    'González',
    'Pérez',
    'Sánchez',
    'Ramírez',
    'Torres',
    'Flores',
    'Rivera',
    'Gómez',
    'Díaz',
    'Reyes',
    'Morales',
    'Cruz',
    'Ortiz',
    'Gutiérrez',
    'Chávez',
    'Ramos',
    'Ruiz',
    'Álvarez',
    'Mendoza',
    'Castillo',
    'Jiménez',
    'Moreno',
    'Romero',
    'Herrera',
    'Medina',
    'Aguilar',
    'Vargas',
    'Zúñiga',
    'Núñez',
    'Muñoz',
    'Peña',
    'Ibáñez',
    'Vásquez',
    'Domínguez',
    'Castañeda',
    'Guzmán',
    'Ríos',
    'Salazar',
    'Cortés',
    'Espinoza',
    'Juárez',
    'Márquez',
    'Sandoval',
    'Valdez',
    'Ochoa',
    'Quiñones',
    'Soto',
  ],
  english: [
    'Smith',
    'Johnson',
    'Williams',
    'Brown',
    'Jones',
    'Miller',
    'Davis',
    'Wilson',
    'Anderson',
    'Taylor',
    'Thomas',
    'Moore',
    'Jackson',
    'Martin',
    'Thompson',
    'White',
    'Harris',
    'Clark',
    'Lewis',
    'Robinson',
    'Walker',
    'Young',
    'Allen',
    'King',
    'Wright',
    'Scott',
    'Hill',
    'Green',
    'Adams',
    'Baker',
    'Nelson',
    'Carter',
    'Mitchell',
    'Roberts',
    'Turner',
    'Phillips',
    'Campbell',
    'Parker',
    'Evans',
    'Edwards',
    'Collins',
    'Stewart',
    'Morris',
    'Murphy',
    'Cook',
    'Rogers',
    "O'Brien",
    "O'Connor",
    'McDonald',
    'MacArthur',
  ],
  vietnamese: [
    'Nguyễn',
    'Trần',
    'Lê',
    'Phạm',
    'Hoàng',
    'Huỳnh',
    'Võ',
    'Vũ',
    'Phan',
    'Trương',
    'Bùi',
    'Đặng',
    'Đỗ',
    'Ngô',
    'Hồ',
    'Dương',
    'Lý',
    'Đinh',
  ],
  chinese: [
    'Wang',
    'Li',
    'Zhang',
    'Liu',
    'Chen',
    'Yang',
    'Huang',
    'Zhao',
    'Wu',
    'Zhou',
    'Xu',
    'Sun',
    'Zhu',
    'Hu',
    'Guo',
    'Lin',
    'Gao',
    'Luo',
    'Wong',
    'Chan',
    'Cheung',
    'Lau',
  ],
  haitian: [
    'Pierre',
    'Joseph',
    'Louis',
    'Charles',
    'Désir',
    'Toussaint',
    'Étienne',
    'Célestin',
    'Augustin',
    'Dorvil',
    'Michel',
    'François',
    'Jacques',
    'Bélizaire',
    'Noël',
    'Exantus',
    'Métellus',
  ],
  portuguese: [
    'Silva',
    'Santos',
    'Oliveira',
    'Souza',
    'Rodrigues',
    'Ferreira',
    'Alves',
    'Pereira',
    'Lima',
    'Gomes',
    'Costa',
    'Ribeiro',
    'Martins',
    'Carvalho',
    'Araújo',
    'Conceição',
  ],
  other: [
    'Patel',
    'Shah',
    'Singh',
    'Kumar',
    'Sharma',
    'Okafor',
    'Mensah',
    'Adeyemi',
    'Okonkwo',
    'Diallo',
    'Ivanova',
    'Petrov',
    'Kowalski',
    'Nowak',
    'Hassan',
    'Haddad',
  ],
};

/** Surnames written with a particle: [particle, core]. */
export const PARTICLE_SURNAMES: Record<'hispanic' | 'portuguese', [string, string][]> = {
  hispanic: [
    ['de la', 'Cruz'],
    ['del', 'Río'],
    ['de la', 'Rosa'],
    ['de los', 'Santos'],
    ['de', 'León'],
    ['del', 'Valle'],
    ['de la', 'Torre'],
    ['de', 'Jesús'],
    ['de la', 'Garza'],
    ['de la', 'Fuente'],
  ],
  portuguese: [
    ['dos', 'Santos'],
    ['da', 'Silva'],
    ['de', 'Souza'],
    ['da', 'Costa'],
    ['dos', 'Reis'],
    ['do', 'Nascimento'],
  ],
};

/** Compound surnames that are one name, not two (never split): hyphen/space variants only. */
export const COMPOUND_SURNAMES: Partial<Record<Origin, string[][]>> = {
  haitian: [
    ['Jean', 'Baptiste'],
    ['Jean', 'Louis'],
    ['Fils', 'Aimé'],
    ['Saint', 'Fleur'],
    ['Jean', 'Pierre'],
    ['Saint', 'Louis'],
  ],
  english: [
    ['Smith', 'Jones'],
    ['Taylor', 'Brown'],
    ['Harris', 'Walker'],
  ],
};

/**
 * Given-name variants and hypocorisms: formal name (folded) → forms a requester may
 * write. Spanish, Portuguese and English; curated for the generator, not the engine.
 */
export const NICKNAMES: Record<string, string[]> = {
  JOSE: ['Pepe', 'Chepe', 'Zé'],
  FRANCISCO: ['Paco', 'Pancho', 'Chico', 'Frank'],
  GUADALUPE: ['Lupe', 'Lupita'],
  JESUS: ['Chuy', 'Chucho'],
  IGNACIO: ['Nacho'],
  ENRIQUE: ['Quique', 'Kike'],
  DOLORES: ['Lola', 'Lolita'],
  CONCEPCION: ['Concha', 'Conchita'],
  ROSARIO: ['Charo'],
  MANUEL: ['Manolo', 'Manny'],
  ALEJANDRO: ['Alex'],
  ROBERTO: ['Beto'],
  ALBERTO: ['Beto'],
  EDUARDO: ['Lalo'],
  GUILLERMO: ['Memo'],
  RAFAEL: ['Rafa'],
  ANTONIO: ['Toño', 'Tony'],
  ANTONIA: ['Toña'],
  MERCEDES: ['Meche'],
  JOSEFA: ['Pepa'],
  RAMON: ['Moncho'],
  FERNANDO: ['Nando'],
  JAVIER: ['Javi'],
  SERGIO: ['Checo'],
  ISABEL: ['Chabela'],
  TERESA: ['Tere'],
  GABRIEL: ['Gabe'],
  SEBASTIAO: ['Tião'],
  WILLIAM: ['Bill', 'Billy', 'Will'],
  ROBERT: ['Bob', 'Bobby', 'Rob'],
  MARGARET: ['Peggy', 'Maggie', 'Meg'],
  ELIZABETH: ['Liz', 'Beth', 'Betty'],
  RICHARD: ['Dick', 'Rick'],
  JAMES: ['Jim', 'Jimmy'],
  JOHN: ['Jack', 'Johnny'],
  MICHAEL: ['Mike'],
  JOSEPH: ['Joe'],
  THOMAS: ['Tom', 'Tommy'],
  CHARLES: ['Chuck', 'Charlie'],
  CHRISTOPHER: ['Chris'],
  EDWARD: ['Ed', 'Ted'],
  ANTHONY: ['Tony'],
  KATHERINE: ['Kate', 'Kathy'],
  PATRICIA: ['Patty', 'Trish'],
  DEBORAH: ['Debbie'],
  SUSAN: ['Sue'],
  TIMOTHY: ['Tim'],
  KENNETH: ['Ken'],
  STEVEN: ['Steve'],
  MATTHEW: ['Matt'],
  BENJAMIN: ['Ben'],
  SAMUEL: ['Sam'],
  NICHOLAS: ['Nick'],
  ALEXANDER: ['Alex'],
  JONATHAN: ['Jon'],
  JENNIFER: ['Jenny'],
  REBECCA: ['Becky'],
  VICTORIA: ['Vicky'],
  JUDITH: ['Judy'],
  ABIGAIL: ['Abby'],
  RAYMOND: ['Ray'],
  LAWRENCE: ['Larry'],
  GERALD: ['Jerry'],
  DANIEL: ['Danny'],
  MOHAMMED: ['Muhammad', 'Mohamed'],
};

/**
 * Names one edit or so from another real name of the other sex (folded pairs). A
 * household member with the twin's name is a different person, never a typo.
 */
export const GENDER_TWINS: [string, string][] = [
  ['Mario', 'María'],
  ['Daniel', 'Daniela'],
  ['Gabriel', 'Gabriela'],
  ['Francisco', 'Francisca'],
  ['Antonio', 'Antonia'],
  ['Luis', 'Luisa'],
  ['Juan', 'Juana'],
  ['Alejandro', 'Alejandra'],
  ['Manuel', 'Manuela'],
  ['José', 'Josefa'],
  ['Daniel', 'Danielle'],
  ['Robert', 'Roberta'],
  ['Joseph', 'Josephine'],
  ['Jean', 'Jeanne'],
  ['João', 'Joana'],
  ['Antônio', 'Antônia'],
];

/** Vietnamese middle names by sex (Văn, Thị are the classic ones). */
export const VIETNAMESE_MIDDLE: Record<Sex, string[]> = {
  M: ['Văn', 'Văn', 'Văn', 'Minh', 'Đức', 'Quốc'],
  F: ['Thị', 'Thị', 'Thị', 'Ngọc', 'Thanh', 'Kim'],
};

/** Street names, most frequent first; numbered ones exercise ordinals. */
export const STREET_NAMES = [
  '2nd',
  'Main',
  '3rd',
  'Oak',
  '1st',
  '4th',
  'Pine',
  'Maple',
  'Cedar',
  'Elm',
  'Washington',
  'Lake',
  'Hill',
  'Park',
  'Lincoln',
  'Jackson',
  'Church',
  'River',
  'Sunset',
  'Mission',
  'Alameda',
  'Cesar Chavez',
  'Martin Luther King Jr',
  'Central',
  'Highland',
  'Franklin',
  'Jefferson',
  'Madison',
  'Walnut',
  'Valencia',
  'Olympic',
  'Magnolia',
  'Willow',
  'Chestnut',
  'Spring',
  'Ridge',
  'Meadow',
  'Forest',
  'Dogwood',
  'Palm',
  'Bayshore',
  'Santa Fe',
  'San Pedro',
  'Del Mar',
  'La Brea',
  'Ocean',
  'Airport',
  'College',
  'Market',
  'Mill',
  'Bridge',
  'Cherry',
  '5th',
  '6th',
  '7th',
  '8th',
  '9th',
  '10th',
  '12th',
  '14th',
  '23rd',
  '42nd',
  '101st',
];

/** Street names written without a suffix. */
export const SUFFIXLESS_STREETS = ['Broadway', 'El Camino Real'];

/** USPS abbreviation → word, for the suffixes the store uses. */
export const SUFFIX_WORDS: Record<string, string> = {
  St: 'Street',
  Ave: 'Avenue',
  Rd: 'Road',
  Blvd: 'Boulevard',
  Dr: 'Drive',
  Ln: 'Lane',
  Ct: 'Court',
  Pl: 'Place',
  Ter: 'Terrace',
  Cir: 'Circle',
  Pkwy: 'Parkway',
  Hwy: 'Highway',
  Trl: 'Trail',
  Way: 'Way',
};

/** Suffixes by frequency (picked with a skew towards the top). */
export const SUFFIX_ORDER = Object.keys(SUFFIX_WORDS);

/** USPS directional abbreviation → word. */
export const DIRECTION_WORDS: Record<string, string> = {
  N: 'North',
  S: 'South',
  E: 'East',
  W: 'West',
  NE: 'Northeast',
  NW: 'Northwest',
  SE: 'Southeast',
  SW: 'Southwest',
};

/** Ordinal street numbers up to 10 as words ('1st' → 'First'). */
export const ORDINAL_WORDS: Record<string, string> = {
  '1st': 'First',
  '2nd': 'Second',
  '3rd': 'Third',
  '4th': 'Fourth',
  '5th': 'Fifth',
  '6th': 'Sixth',
  '7th': 'Seventh',
  '8th': 'Eighth',
  '9th': 'Ninth',
  '10th': 'Tenth',
};

/** A city: its state (code and full name) and the ZIP codes that belong to it only. */
export interface Place {
  city: string;
  state: string;
  stateName: string;
  zips: string[];
}

const place = (
  city: string,
  state: string,
  stateName: string,
  zip3: string,
  from: number,
  to: number,
): Place => {
  const zips: string[] = [];
  for (let i = from; i <= to; i++) zips.push(zip3 + String(i).padStart(2, '0'));
  return { city, state, stateName, zips };
};

/** Cities with disjoint ZIP ranges: a ZIP names one city, so ZIP-only requests stay unambiguous. */
export const PLACES: Place[] = [
  place('Los Angeles', 'CA', 'California', '900', 1, 60),
  place('Houston', 'TX', 'Texas', '770', 1, 60),
  place('Chicago', 'IL', 'Illinois', '606', 1, 50),
  place('Phoenix', 'AZ', 'Arizona', '850', 1, 40),
  place('San Antonio', 'TX', 'Texas', '782', 1, 40),
  place('Miami', 'FL', 'Florida', '331', 1, 59),
  place('North Miami', 'FL', 'Florida', '331', 60, 69),
  place('New York', 'NY', 'New York', '100', 1, 60),
  place('Dallas', 'TX', 'Texas', '752', 1, 40),
  place('San Jose', 'CA', 'California', '951', 10, 40),
  place('Westminster', 'CA', 'California', '926', 80, 85),
  place('Garden Grove', 'CA', 'California', '928', 40, 45),
  place('Denver', 'CO', 'Colorado', '802', 1, 30),
  place('Atlanta', 'GA', 'Georgia', '303', 1, 40),
  place('Newark', 'NJ', 'New Jersey', '071', 1, 15),
  place('Elizabeth', 'NJ', 'New Jersey', '072', 1, 8),
  place('Las Vegas', 'NV', 'Nevada', '891', 1, 40),
  place('Seattle', 'WA', 'Washington', '981', 1, 30),
  place('Boston', 'MA', 'Massachusetts', '021', 1, 30),
  place('Brockton', 'MA', 'Massachusetts', '023', 1, 4),
  place('Fresno', 'CA', 'California', '937', 1, 30),
  place('El Paso', 'TX', 'Texas', '799', 1, 40),
  place('Orlando', 'FL', 'Florida', '328', 1, 40),
  place('Charlotte', 'NC', 'North Carolina', '282', 1, 30),
  place('Raleigh', 'NC', 'North Carolina', '276', 1, 20),
  place('Omaha', 'NE', 'Nebraska', '681', 1, 30),
  place('Providence', 'RI', 'Rhode Island', '029', 1, 10),
  place('Española', 'NM', 'New Mexico', '875', 32, 33),
  place('Cañon City', 'CO', 'Colorado', '812', 12, 12),
];

/** Cities an origin's households favour (60 % of them live in one of these). */
export const ORIGIN_CITIES: Record<Origin, string[]> = {
  hispanic: ['Los Angeles', 'Houston', 'San Antonio', 'Phoenix', 'El Paso', 'Miami', 'Chicago'],
  english: ['Chicago', 'Dallas', 'Denver', 'Atlanta', 'Charlotte', 'Raleigh', 'Omaha', 'Seattle'],
  vietnamese: ['Westminster', 'Garden Grove', 'San Jose', 'Houston'],
  chinese: ['New York', 'San Jose', 'Los Angeles', 'Boston', 'Seattle'],
  haitian: ['Miami', 'North Miami', 'Brockton', 'New York', 'Orlando', 'Newark'],
  portuguese: ['Newark', 'Elizabeth', 'Boston', 'Providence', 'Orlando'],
  other: ['New York', 'Houston', 'Atlanta', 'Chicago', 'Seattle'],
};

// ---------------------------------------------------------------- text helpers

/**
 * Strips diacritics the way a requester's keyboard does: NFKD without combining
 * marks, plus the letters NFKD leaves alone (Vietnamese Đ).
 * @example stripAccents('Đặng Zúñiga') // 'Dang Zuniga'
 */
export function stripAccents(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/Đ/g, 'D')
    .replace(/đ/g, 'd')
    .normalize('NFC');
}

/** True when the text has a letter a keyboard without accents cannot type. */
export function hasAccents(s: string): boolean {
  return stripAccents(s) !== s.normalize('NFC');
}

/**
 * The generators' own folding (independent of the engine's): accents stripped,
 * upper case, anything but letters to single spaces.
 * @example fold("O'Brien-Núñez") // 'O BRIEN NUNEZ'
 */
export function fold(s: string): string {
  return stripAccents(s)
    .toUpperCase()
    .replace(/[^A-Z]+/g, ' ')
    .trim();
}

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions),
 * stopping early once it exceeds `max`.
 * @example editDistance('MARIA', 'MARIO') // 1
 */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, prev2[j - 2]! + 1);
      }
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

const NICK_GROUPS = new Map<string, Set<string>>();
for (const [formal, nicks] of Object.entries(NICKNAMES)) {
  for (const n of [formal, ...nicks.map(fold)]) {
    const set = NICK_GROUPS.get(n) ?? new Set<string>();
    set.add(formal);
    NICK_GROUPS.set(n, set);
  }
}

/** Formal names (folded) a folded given name can stand for, itself included. */
export function formalNamesOf(folded: string): Set<string> {
  return new Set([folded, ...(NICK_GROUPS.get(folded) ?? [])]);
}

/** Whether two given names may name the same person: equal, nickname-related, or one edit apart. */
export function givenNamesCompatible(a: string, b: string): boolean {
  const fa = fold(a);
  const fb = fold(b);
  if (!fa || !fb) return false;
  if (fa === fb || editDistance(fa, fb, 1) <= 1) return true;
  const ga = formalNamesOf(fa);
  for (const f of formalNamesOf(fb)) if (ga.has(f)) return true;
  return false;
}

/** Every given name, nickname and twin the pools know, folded (typos must avoid them). */
export const KNOWN_GIVEN = new Set<string>([
  ...Object.values(GIVEN).flatMap((bySex) => [...bySex.F, ...bySex.M].map(fold)),
  ...Object.entries(NICKNAMES).flatMap(([f, ns]) => [f, ...ns.map(fold)]),
  ...GENDER_TWINS.flat().map(fold),
  ...Object.values(VIETNAMESE_MIDDLE).flatMap((xs) => xs.map(fold)),
]);

/** Every surname part the pools know, folded. */
export const KNOWN_SURNAMES = new Set<string>([
  ...Object.values(SURNAMES).flatMap((xs) => xs.map(fold)),
  ...Object.values(PARTICLE_SURNAMES).flatMap((xs) => xs.map(([, core]) => fold(core))),
  ...Object.values(COMPOUND_SURNAMES).flatMap((xs) => (xs ?? []).flat().map(fold)),
]);
