import { jaroWinkler } from './jaro-winkler.ts';
import { sameLetterStreet, streetMayBeOne } from './normalize/address.ts';
import {
  givenNameBearers,
  isListedGivenName,
  mayNameEitherSex,
  mayNameTwoPeople,
} from './normalize/person-name.ts';

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
  /** Generational suffix, kept as evidence: JR, SR, II, III, IV, V or null. */
  suffix: string | null;
  /**
   * The first two given names are one compound name as written (JEAN-CLAUDE); absent
   * otherwise, and in features indexed before migration 0014.
   */
  givenCompound?: true;
  houseNumber: string;
  /**
   * The street line names a recipient (care of, attention): the address is someone
   * else's, where the person may not live; absent otherwise, and in features indexed
   * before migration 0014.
   */
  careOf?: true;
  streetName: string;
  unit: string;
  city: string;
  state: string;
  zip5: string;
  dob: string | null;
}

/**
 * The version of the comparison levels' meaning, kept on every model (ModelParameters
 * `comparison`): 1 until 2026-11-25; 2 from then, a street with the same letters spaced
 * otherwise is `exact` (ADR 0011); 3 from later that day, two surnames that each differ
 * on one side are not `part`, a nickname of a second given name is `other_given`, a
 * typo of the first given name ranks above `other_given`, two listed given names are
 * not a `typo` of each other, and second given names that are a typo of each other are
 * `middle` `same` (ADR 0012); 4 from 2026-11-25 again, names in the lists of given
 * names are listed (a `typo` of each other only as two spellings of one name), a
 * nickname row joining a man's name to a woman's is not `nickname`, a nickname or typo
 * both sexes bear is marked `givenEitherSex`, second given names are compared when read
 * crosswise too (ADR 0013), and house numbers are compared as keys, `7-A` as `7A` (ADR
 * 0014); 5 from 2026-11-25 again (the sixth session): Vietnamese and Chinese given
 * names are listed (curated.csv), so DUNG and HUNG are two names; two names with
 * nicknames of their own are a `nickname` only by a row joining them (JOHN and NATHAN
 * are not), and a row joining two names borne in their own right is marked
 * `givenTwoNames`; a compound first name against its first part alone is marked
 * `compoundCut` (all ADR 0013, "Also decided: the sixth session"); a street that lacks
 * only its suffix or a directional is marked `streetPartial`, and a street line naming
 * a recipient `careOf` (ADR 0014, the sixth hunt). A model trained on other levels is
 * not used.
 */
export const COMPARISON_VERSION = 5;

/** Comparison levels per field, from strongest agreement to disagreement. */
export const LEVELS = {
  surname: ['exact', 'part', 'typo', 'different'],
  given: ['exact', 'other_given', 'nickname', 'typo', 'initial', 'different'],
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
  /**
   * Second and later given names, when both sides have them: evidence that tells
   * namesakes apart (not scored).
   */
  middle?: 'same' | 'different' | 'missing';
  /**
   * A generational suffix on one side only (JOHN SMITH JR against JOHN SMITH): the
   * other may be the father or the son (not scored; `suffix` is then `missing`).
   */
  suffixOneSide?: true;
  /**
   * The first given names are a `nickname` or a `typo` of each other and, between them,
   * both sexes bear them (PAT against PATRICIA, KYLE against KYLIE): the request may
   * name her husband or her brother (not scored; ADR 0013).
   */
  givenEitherSex?: true;
  /**
   * The first given names are a `nickname` of each other by a row joining two names each
   * borne in its own right (JOHN and JONATHAN, LISA and MELISSA): the request may name a
   * father or a sister (not scored; ADR 0013, the sixth session).
   */
  givenTwoNames?: true;
  /**
   * One side's first given name is compound (JEAN-CLAUDE), the other has its first part
   * alone and no second given name (JEAN): the father JEAN as often as the son who
   * dropped the second part (not scored; ADR 0013).
   */
  compoundCut?: true;
  /**
   * The street is `different` only by a suffix or directional written on one side
   * (MAIN against MAIN ST): a namesake there is counted as a rival (not scored; ADR
   * 0014, the sixth session).
   */
  streetPartial?: true;
  /** Either side's street line names a recipient (care of, attention): not scored. */
  careOf?: true;
};

/** Given names that are nicknames or variants of each other (a table lookup). */
export type GivenNamesCompatible = (a: string, b: string) => boolean;

const TYPO = 0.92;

/**
 * Whether two strings are at most one edit apart: one substitution, insertion,
 * deletion or adjacent transposition (optimal string alignment ≤ 1). Linear, no
 * allocation: it runs for most candidate pairs.
 * @example withinOneEdit('GARCIA', 'GRACIA') // true
 */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    // substitution, or adjacent transposition
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return (
      i + 1 < la && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2)
    );
  }
  // insertion or deletion
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** Masculine and feminine forms of one name (JUAN/JUANA, MARIO/MARIA): different people. */
export function genderTwins(a: string, b: string): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  // JUAN/JUANA, LOUIS/LOUISE, JEAN/JEANNE, ANTOINE/ANTOINETTE
  if (['A', 'E', 'NE', 'TTE', 'ETTE'].some((end) => short + end === long)) return true;
  if (a.length !== b.length || a.slice(0, -1) !== b.slice(0, -1)) return false;
  const ends = new Set([a.at(-1), b.at(-1)]);
  return ends.has('A') && ends.has('O');
}

/** A likely misspelling: one edit (names of four letters or more) or Jaro–Winkler ≥ 0.92. */
function isTypo(a: string, b: string): boolean {
  if (genderTwins(a, b) || Math.abs(a.length - b.length) > 1) return false;
  if (Math.min(a.length, b.length) >= 4 && withinOneEdit(a, b)) return true;
  // Jaro–Winkler ≥ 0.92 all but needs the same first letter: skip the work otherwise.
  return a[0] === b[0] && jaroWinkler(a, b) >= TYPO;
}

/** The keys of one surname of a person (as surnameKeys gives them for each). */
function surnameUnitKeys(unit: string): string[] {
  const parts = unit.split(' ');
  return [unit, parts.join(''), parts[parts.length - 1]!].filter((k) => k.length > 1);
}

/** A person's surnames that share no key with the other person's. */
function surnamesNotIn(f: PersonFeatures, otherKeys: ReadonlySet<string>): string[] {
  return f.surnames.filter((unit) => !surnameUnitKeys(unit).some((k) => otherKeys.has(k)));
}

function compareSurnames(req: PersonFeatures, rec: PersonFeatures): Level<'surname'> {
  if (req.surnames.join(' ') === rec.surnames.join(' ')) return 'exact';
  const recKeys = new Set(rec.surnameKeys);
  if (req.surnameKeys.some((k) => recKeys.has(k))) {
    // One surname of two names the same person (GARCIA for GARCIA LOPEZ); one shared and
    // another differing on each side names a parent and a child (GARCIA PEREZ, GARCIA
    // LOPEZ): different, unless the differing ones are a typo of each other.
    const reqOnly = surnamesNotIn(req, recKeys);
    const recOnly = surnamesNotIn(rec, new Set(req.surnameKeys));
    if (reqOnly.length === 0 || recOnly.length === 0) return 'part';
    return reqOnly.every((a) => recOnly.some((b) => isTypo(a, b))) ? 'typo' : 'different';
  }
  if (req.surnameKeys.some((a) => rec.surnameKeys.some((b) => isTypo(a, b)))) return 'typo';
  return 'different';
}

/**
 * A name as it sounds, for telling spellings of one name from two names: H dropped,
 * doubled letters single, K as C, Z as S, PH as F, Y and a later E as I.
 * @example spellingKey('KATHERINE') === spellingKey('CATHERINE') // true
 * @example spellingKey('SARAH') === spellingKey('SARA') // true
 */
export function spellingKey(name: string): string {
  return name
    .replace(/PH/g, 'F')
    .replace(/H/g, '')
    .replace(/K/g, 'C')
    .replace(/Z/g, 'S')
    .replace(/Y/g, 'I')
    .replace(/(?<=.)E/g, 'I')
    .replace(/(.)\1+/g, '$1');
}

/**
 * A likely misspelling of a given name: a typo (isTypo) between names that are not
 * both listed names, or that are two spellings of one name borne by the same sex (SARA
 * and SARAH, CANDACE and KANDACE). JOHN and JOAN, ERIC and ERIN, MARIA and MARTA, JOSE
 * and JOSUE, FRANCIS and FRANCES are one edit apart and name two people (ADR 0012,
 * ADR 0013).
 */
function isGivenTypo(a: string, b: string): boolean {
  if (!isTypo(a, b)) return false;
  if (!isListedGivenName(a) || !isListedGivenName(b)) return true;
  return spellingKey(a) === spellingKey(b) && givenNameBearers(a) === givenNameBearers(b);
}

function compareGiven(
  req: PersonFeatures,
  rec: PersonFeatures,
  compatible: GivenNamesCompatible,
): Level<'given'> {
  const a = req.given[0];
  const b = rec.given[0];
  if (!a || !b) return 'different';
  // Masculine and feminine forms name two people, whatever the nickname tables say.
  if (genderTwins(a, b)) return 'different';
  // The first given names decide: equal, a nickname, a typo. A given name shared
  // elsewhere (a second given name written first), or a nickname of one (BILL for JOHN
  // WILLIAM), is weaker evidence, since households share middle names: a father JOHN
  // WILLIAM, a son BILL.
  if (a === b) return 'exact';
  if (compatible(a, b)) return 'nickname';
  if (isGivenTypo(a, b)) return 'typo';
  if (req.given.some((g) => g.length > 1 && rec.given.includes(g))) return 'other_given';
  if (
    req.given.some((g) => g.length > 1 && rec.given.some((h) => h.length > 1 && compatible(g, h)))
  )
    return 'other_given';
  if ((a.length === 1 && b.startsWith(a)) || (b.length === 1 && a.startsWith(b))) return 'initial';
  return 'different';
}

/** Cheap test before the crosswise comparison: a request name appears in the other field. */
function mayBeSwapped(req: PersonFeatures, rec: PersonFeatures): boolean {
  const g = rec.given[0];
  return (!!g && req.surnameKeys.includes(g)) || req.given.some((t) => rec.surnameKeys.includes(t));
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
  if ((surname === 'different' || given === 'different') && mayBeSwapped(req, rec)) {
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
  // The request's given names as read: its surname field when read crosswise.
  const reqGiven = swapped ? req.surnames : req.given;
  const givenEitherSex =
    (given === 'nickname' || given === 'typo') && mayNameEitherSex(reqGiven[0]!, rec.given[0]!);
  const givenTwoNames = given === 'nickname' && mayNameTwoPeople(reqGiven[0]!, rec.given[0]!);
  // On the reading used: the request's mark is its first-name field's, so only a
  // straight reading; the record's holds either way (PIERRE, JEAN written surname first
  // against JEAN-CLAUDE PIERRE).
  const compoundCut =
    (given === 'exact' || given === 'nickname' || given === 'typo') &&
    ((!swapped && req.givenCompound && rec.given.length === 1) ||
      (rec.givenCompound && reqGiven.length === 1));
  const house: Level<'house'> = req.houseNumber === rec.houseNumber ? 'exact' : 'different';
  // The same letters, spaced otherwise ('MOORESTREET', 'MOORE ST'), are the same street.
  const street: Level<'street'> =
    req.streetName === rec.streetName ||
    sameLetterStreet(req.streetName) === sameLetterStreet(rec.streetName)
      ? 'exact'
      : isTypo(req.streetName, rec.streetName)
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
  // Read crosswise too: MIN JUN written surname first is still not MIN JAE (ADR 0013).
  const reqMiddle = reqGiven.slice(1);
  const recMiddle = rec.given.slice(1);
  const middle: ComparisonVector['middle'] =
    reqMiddle.length === 0 || recMiddle.length === 0
      ? 'missing'
      : reqMiddle.some((m) =>
            recMiddle.some(
              (n) =>
                m === n ||
                (m.length === 1 && n.startsWith(m)) ||
                (n.length === 1 && m.startsWith(n)) ||
                isGivenTypo(m, n),
            ),
          )
        ? 'same'
        : 'different';
  return {
    surname,
    given,
    house,
    street,
    unit,
    locality,
    dob,
    suffix,
    swapped,
    middle,
    ...(!req.suffix !== !rec.suffix ? { suffixOneSide: true } : {}),
    ...(givenEitherSex ? { givenEitherSex: true } : {}),
    ...(givenTwoNames ? { givenTwoNames: true } : {}),
    ...(compoundCut ? { compoundCut: true } : {}),
    ...(street === 'different' && streetMayBeOne(req.streetName, rec.streetName)
      ? { streetPartial: true }
      : {}),
    ...(req.careOf || rec.careOf ? { careOf: true } : {}),
  };
}
