import type { TaxpayerReturn } from './taxpayer-row.ts';

/**
 * A deterministic generator of synthetic taxpayer returns: households sharing a
 * surname and an address, movers whose older returns carry an older address,
 * neighbours in other units of one building. Every TIN starts with 000 or 666,
 * areas the SSA never issues, so no generated TIN can be a real person's.
 */

const GIVEN = [
  'Maria',
  'Jose',
  'Juan',
  'Guadalupe',
  'Francisco',
  'Ana',
  'Luis',
  'Carmen',
  'Jesus',
  'Rosa',
  'Miguel',
  'Sofia',
  'Carlos',
  'Elena',
  'Pedro',
  'Lucia',
  'Antonio',
  'Isabel',
  'Manuel',
  'Teresa',
  'James',
  'Mary',
  'John',
  'Patricia',
  'Robert',
  'Jennifer',
  'Michael',
  'Linda',
  'William',
  'Elizabeth',
  'David',
  'Barbara',
  'Richard',
  'Susan',
  'Joseph',
  'Jessica',
  'Thomas',
  'Sarah',
  'Nguyen',
  'Minh',
  'Wei',
  'Mei',
  'Jean',
  'Marie',
  'Pierre',
  'Fabiola',
  'Joao',
  'Ana Paula',
  'Ahmed',
  'Fatima',
  'Olga',
  'Ivan',
  'Priya',
  'Raj',
  'Kwame',
  'Ama',
  'Chidi',
  'Ngozi',
];
const SURNAMES = [
  'Garcia',
  'Rodriguez',
  'Martinez',
  'Hernandez',
  'Lopez',
  'Gonzalez',
  'Perez',
  'Sanchez',
  'Ramirez',
  'Torres',
  'Flores',
  'Rivera',
  'Gomez',
  'Diaz',
  'Cruz',
  'Morales',
  'Reyes',
  'Ortiz',
  'Gutierrez',
  'Chavez',
  'Ramos',
  'Ruiz',
  'Alvarez',
  'Mendoza',
  'Castillo',
  'Jimenez',
  'Moreno',
  'Romero',
  'Herrera',
  'Medina',
  'Aguilar',
  'Vargas',
  'Zúñiga',
  'de la Cruz',
  'del Río',
  'García López',
  'Pérez-Soto',
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
  'Nguyen',
  'Tran',
  'Le',
  'Pham',
  'Kim',
  'Lee',
  'Park',
  'Chen',
  'Wang',
  'Li',
  'Pierre',
  'Jean-Baptiste',
  'Joseph',
  'Silva',
  'Santos',
  'Oliveira',
  'Souza',
  'Patel',
  'Shah',
  'Okafor',
  'Mensah',
  'Ivanova',
];
const STREETS = [
  'Main',
  'Oak',
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
  '1st',
  '2nd',
  '3rd',
  '4th',
  '5th',
  '12th',
  '23rd',
  'Broadway',
  'Valencia',
  'Olympic',
];
const SUFFIXES = ['St', 'Ave', 'Rd', 'Blvd', 'Dr', 'Ln', 'Ct', 'Way', 'Pl', 'Ter'];
const DIRECTIONS = ['', '', '', '', 'N', 'S', 'E', 'W'];
const PLACES: [string, string, string][] = [
  ['Los Angeles', 'CA', '900'],
  ['Houston', 'TX', '770'],
  ['Chicago', 'IL', '606'],
  ['Phoenix', 'AZ', '850'],
  ['San Antonio', 'TX', '782'],
  ['Miami', 'FL', '331'],
  ['New York', 'NY', '100'],
  ['Dallas', 'TX', '752'],
  ['San Jose', 'CA', '951'],
  ['Denver', 'CO', '802'],
  ['Atlanta', 'GA', '303'],
  ['Newark', 'NJ', '071'],
  ['Las Vegas', 'NV', '891'],
  ['Seattle', 'WA', '981'],
  ['Boston', 'MA', '021'],
  ['Fresno', 'CA', '937'],
  ['El Paso', 'TX', '799'],
  ['Orlando', 'FL', '328'],
  ['Charlotte', 'NC', '282'],
  ['Raleigh', 'NC', '276'],
  ['Omaha', 'NE', '681'],
];

/** mulberry32: a small, fast, seedable PRNG; statistical quality is enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Address {
  street: string;
  unit: string;
  city: string;
  state: string;
  zip: string;
}

export interface SyntheticOptions {
  /** Number of returns to produce (exactly). */
  returns: number;
  seed?: number;
  /** Latest tax year generated; movers also get the year before. */
  latestYear?: number;
}

/**
 * Yields exactly `returns` synthetic returns, household by household.
 * @example for (const r of syntheticReturns({ returns: 1000, seed: 7 })) console.log(r.tin)
 */
export function* syntheticReturns(opts: SyntheticOptions): Generator<TaxpayerReturn> {
  const rnd = seededRandom(opts.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const latestYear = opts.latestYear ?? 2024;
  let produced = 0;
  let tinCounter = 0;
  const nextTin = () => {
    const n = tinCounter++;
    const area = n < 1_000_000 ? '000' : '666';
    return area + String(n % 1_000_000).padStart(6, '0');
  };
  const address = (): Address => {
    const [city, state, zip3] = pick(PLACES);
    const building = rnd() < 0.25;
    return {
      street: [
        String(1 + Math.floor(rnd() * 9800)),
        pick(DIRECTIONS),
        pick(STREETS),
        pick(SUFFIXES),
      ]
        .filter(Boolean)
        .join(' '),
      unit: building ? `Apt ${1 + Math.floor(rnd() * 40)}${rnd() < 0.3 ? 'B' : ''}` : '',
      city,
      state,
      zip: zip3 + String(Math.floor(rnd() * 100)).padStart(2, '0'),
    };
  };
  const dob = () => {
    const y = 1940 + Math.floor(rnd() * 65);
    const m = 1 + Math.floor(rnd() * 12);
    const d = 1 + Math.floor(rnd() * 28);
    return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  };

  while (produced < opts.returns) {
    const home = address();
    const surname = pick(SURNAMES);
    const members = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < members && produced < opts.returns; i++) {
      const tin = nextTin();
      const person = {
        first_name: pick(GIVEN),
        middle_name: rnd() < 0.3 ? pick(GIVEN) : '',
        last_name: i === 0 || rnd() < 0.8 ? surname : pick(SURNAMES),
        dob: dob(),
      };
      // Movers: an older return at an older address; only the latest one counts.
      if (rnd() < 0.2 && produced + 1 < opts.returns) {
        yield { tin, tax_year: latestYear - 1, ...person, ...address() };
        produced++;
      }
      yield { tin, tax_year: latestYear, ...person, ...home };
      produced++;
    }
  }
}

/** One CSV line for a return, in TAXPAYER_COLUMNS order, quoting where needed. */
export function toCsvLine(r: TaxpayerReturn): string {
  return [
    r.tin,
    r.tax_year,
    r.first_name,
    r.middle_name,
    r.last_name,
    r.street,
    r.unit,
    r.city,
    r.state,
    r.zip,
    r.dob ?? '',
  ]
    .map((v) => {
      const s = String(v);
      return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',');
}
