import { jaroWinkler } from './jaro-winkler.ts';

/**
 * What the engine compares of one person at one address, already normalised
 * (folded tokens, Pub 28 street parts). Requests and taxpayers' addresses of
 * record are reduced to the same shape.
 */
export interface PersonFeatures {
  /** Given-name tokens in order ('MARIA', 'GUADALUPE'). */
  given: string[];
  /** Surname tokens as written ('GARCIA', 'LOPEZ'; 'DE LA CRUZ' kept whole). */
  surnames: string[];
  /** Every surname form a comparison accepts (full, each part, without particles). */
  surnameKeys: string[];
  /** Generational suffix, kept as evidence: JR, SR, II, III, IV or null. */
  suffix: string | null;
  houseNumber: string;
  streetName: string;
  unit: string;
  city: string;
  state: string;
  zip5: string;
  dob: string | null;
}

/** Comparison levels per field, from strongest agreement to disagreement. */
export const LEVELS = {
  surname: ['exact', 'part', 'typo', 'different'],
  given: ['exact', 'nickname', 'typo', 'initial', 'different'],
  house: ['exact', 'different'],
  street: ['exact', 'typo', 'different'],
  unit: ['both_empty', 'exact', 'request_missing', 'record_missing', 'different'],
  locality: ['zip_exact', 'city_exact', 'zip_missing_city_different', 'zip_different'],
  dob: ['exact', 'missing', 'different'],
  suffix: ['same', 'missing', 'conflict'],
} as const;

export type Field = keyof typeof LEVELS;
export type Level<F extends Field> = (typeof LEVELS)[F][number];
export type ComparisonVector = { [F in Field]: Level<F> } & {
  /** Given name and surname matched crosswise (written in each other's field). */
  swapped: boolean;
};

/** Given names that are nicknames or variants of each other (a table lookup). */
export type GivenNamesCompatible = (a: string, b: string) => boolean;

const TYPO = 0.92;

function bestJw(as: string[], bs: string[]): number {
  let best = 0;
  for (const a of as) for (const b of bs) best = Math.max(best, jaroWinkler(a, b));
  return best;
}

function compareSurnames(req: PersonFeatures, rec: PersonFeatures): Level<'surname'> {
  const full = (p: PersonFeatures) => p.surnames.join(' ');
  if (full(req) === full(rec)) return 'exact';
  const recKeys = new Set(rec.surnameKeys);
  if (req.surnameKeys.some((k) => recKeys.has(k))) return 'part';
  if (bestJw(req.surnameKeys, rec.surnameKeys) >= TYPO) return 'typo';
  return 'different';
}

function compareGiven(
  req: PersonFeatures,
  rec: PersonFeatures,
  compatible: GivenNamesCompatible,
): Level<'given'> {
  const a = req.given[0];
  const b = rec.given[0];
  if (!a || !b) return 'different';
  // The first given name decides; a second given name in either field may stand in.
  if (a === b || req.given.some((g) => rec.given.includes(g) && g.length > 1)) return 'exact';
  if (req.given.some((g) => rec.given.some((h) => compatible(g, h)))) return 'nickname';
  if (jaroWinkler(a, b) >= TYPO) return 'typo';
  if ((a.length === 1 && b.startsWith(a)) || (b.length === 1 && a.startsWith(b))) return 'initial';
  return 'different';
}

/**
 * Compares a request with one taxpayer's address of record, field by field.
 * Pure and deterministic; the levels feed the Fellegi–Sunter weights.
 * @example compare(requestFeatures, recordFeatures, givenNamesCompatible)
 */
export function compare(
  req: PersonFeatures,
  rec: PersonFeatures,
  compatible: GivenNamesCompatible,
): ComparisonVector {
  let surname = compareSurnames(req, rec);
  let given = compareGiven(req, rec, compatible);
  let swapped = false;
  if (surname === 'different' || given === 'different') {
    // Given name and surname written in each other's fields.
    const crossed: PersonFeatures = {
      ...req,
      given: req.surnames,
      surnames: req.given,
      surnameKeys: req.given,
    };
    const s2 = compareSurnames(crossed, rec);
    const g2 = compareGiven(crossed, rec, compatible);
    if (s2 !== 'different' && g2 !== 'different') {
      surname = s2;
      given = g2;
      swapped = true;
    }
  }
  const house: Level<'house'> = req.houseNumber === rec.houseNumber ? 'exact' : 'different';
  const street: Level<'street'> =
    req.streetName === rec.streetName
      ? 'exact'
      : jaroWinkler(req.streetName, rec.streetName) >= TYPO
        ? 'typo'
        : 'different';
  const unit: Level<'unit'> =
    !req.unit && !rec.unit
      ? 'both_empty'
      : req.unit === rec.unit
        ? 'exact'
        : !req.unit
          ? 'request_missing'
          : !rec.unit
            ? 'record_missing'
            : 'different';
  let locality: Level<'locality'>;
  if (req.zip5) locality = req.zip5 === rec.zip5 ? 'zip_exact' : 'zip_different';
  else
    locality =
      req.city === rec.city && req.state === rec.state
        ? 'city_exact'
        : 'zip_missing_city_different';
  const dob: Level<'dob'> =
    !req.dob || !rec.dob ? 'missing' : req.dob === rec.dob ? 'exact' : 'different';
  const suffix: Level<'suffix'> =
    !req.suffix || !rec.suffix ? 'missing' : req.suffix === rec.suffix ? 'same' : 'conflict';
  return { surname, given, house, street, unit, locality, dob, suffix, swapped };
}
