import { addressKeys, parseStreetLine } from '../matching/normalize/address.ts';
import { parsePersonName } from '../matching/normalize/person-name.ts';
import { foldText } from '../matching/normalize/text.ts';

/**
 * How a request's subject is identified without keeping who it is (ADR 0007).
 *
 * A subject hold, the duplicate window and the purge all need to say "the same person"
 * across batches while the request text may be gone. Each item therefore yields a few
 * typed, normalised identifiers; only their keyed hashes (HMAC-SHA-256 under the data
 * folder's subject key, src/ledger/subject.ts) are stored or compared:
 *
 * - `person:v1:FIRST|LAST|STREET_KEY|Z:ZIP5` — the first- and last-name fields folded
 *   whole, and street with the ZIP;
 * - `person:v1:FIRST|LAST|STREET_KEY|C:CITY|STATE` — the same with city and state;
 * - `person:v2:GIVEN|SURNAMES|SUFFIX|STREET_KEY|Z:ZIP5` and `…|C:CITY|STATE` — the name
 *   as matching reads it (parsePersonName: the first given name, particles dropped; surnames with `O'`, `Mc`, `St.`, `y` read as
 *   matching reads them; the generational suffix kept apart). v1 alone let a request
 *   escape a hold by writing `OBrien` for `O'Brien`, `Mc Donald` for `McDonald` or
 *   `Maria` + middle `Jose` for `Maria Jose`, names matching compares as exact (the
 *   eighth hunt). Both versions are hashed, so holds placed before v2 still match;
 * - `a_number:v1:NNNNNNNNN` — the alien registration number, digits only.
 *
 * The unit and the date of birth are left out on purpose: a court order names a
 * person at an address, and a hold must not be escaped by adding `Apt 2` to a request.
 * A hold and an item are the same subject when any of their identifiers agree, so give
 * a hold both the ZIP and the city and state when the order has them.
 */
export interface SubjectFields {
  first_name?: unknown;
  middle_name?: unknown;
  last_name?: unknown;
  street?: unknown;
  city?: unknown;
  state?: unknown;
  zip?: unknown;
  a_number?: unknown;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * The normalised A-number (7 to 9 digits, `A` and separators dropped, zero-padded to 9),
 * or '' when the value is not one.
 * @example normaliseANumber('A-012 345 678') // '012345678'
 */
export function normaliseANumber(value: unknown): string {
  const s = str(value).toUpperCase().replace(/[\s-]/g, '').replace(/^A/, '');
  return /^\d{7,9}$/.test(s) ? s.padStart(9, '0') : '';
}

/**
 * The identifiers of a subject, in clear: hash each with the subject key before
 * storing or comparing it (`subjectHashes`). Fields that are missing or not text give
 * fewer identifiers; none at all means the fields do not identify anyone.
 * @example subjectIdentifiers({ first_name: 'Ana', last_name: 'Lopez', street: '12 Oak St', zip: '77001' })
 * // ['person:v1:ANA|LOPEZ|12 OAK ST|Z:77001', 'person:v2:ANA|LOPEZ||12 OAK ST|Z:77001']
 */
export function subjectIdentifiers(s: SubjectFields): string[] {
  const out: string[] = [];
  const first = foldText(str(s.first_name));
  const last = foldText(str(s.last_name));
  const street = str(s.street);
  if (first && last && street) {
    const a = addressKeys({ street, zip: str(s.zip), city: str(s.city), state: str(s.state) });
    // v1 keeps the address as read when it was made: dashes other than '-' and
    // underscores deleted (before migration 0015), so holds placed then still match
    // a request written as their order was (`12–14 Elm Ave` → 1214 ELM AVE).
    const v1 = !READ_OTHERWISE_BEFORE_0015.test(street)
      ? a
      : addressKeys({
          street: asReadBefore0015(street),
          zip: str(s.zip),
          city: str(s.city),
          state: str(s.state),
        });
    const parsed = parseStreetLine(street);
    // It takes a house number and a street name to name a place.
    if (parsed.houseNumber && parsed.streetName) {
      const name = parsePersonName({
        first_name: str(s.first_name),
        middle_name: str(s.middle_name),
        last_name: str(s.last_name),
      });
      const people: [string, typeof a][] = [[`person:v1:${first}|${last}|${v1.street_key}`, v1]];
      if (name.given.length > 0 && name.surnames.length > 0) {
        // The first given name: a second one is written or left out from one paper to the
        // next ('John Robert' in the order, 'John' or 'John R' in a request).
        const read = `${name.given[0]}|${name.surnames.join(' ')}|${name.suffix ?? ''}`;
        people.push([`person:v2:${read}|${a.street_key}`, a]);
      }
      for (const [person, at] of people) {
        if (at.zip5) out.push(`${person}|Z:${at.zip5}`);
        if (at.city_key && at.state) out.push(`${person}|C:${at.city_key}|${at.state}`);
      }
    }
  }
  const aNumber = normaliseANumber(s.a_number);
  if (aNumber) out.push(`a_number:v1:${aNumber}`);
  return out;
}

/** A dash other than '-', and an underscore: a street reads otherwise since migration 0015. */
const READ_OTHERWISE_BEFORE_0015 = /(?!-)[\p{Pd}\u2212_]/u;

/**
 * The street with what its words read otherwise since migration 0015 deleted, as the
 * tokenizer did before: after compatibility folding (which made a full-width or small
 * hyphen '-', kept), every other dash and the underscore. City keys never read them so.
 */
function asReadBefore0015(street: string): string {
  return street.normalize('NFKD').replace(new RegExp(READ_OTHERWISE_BEFORE_0015, 'gu'), '');
}

/** Hashes identifiers with a keyed hash (the app's `subjectHash`). */
export type SubjectHasher = (value: string) => string;

/** The keyed hashes of a subject's identifiers. */
export function subjectHashes(s: SubjectFields, hash: SubjectHasher): string[] {
  return subjectIdentifiers(s).map(hash);
}

/**
 * A subject's keyed hashes, each marked with whether a later subject will always
 * compare it: v1 does not need storing beside v2, since every subject with a v2 today
 * computes it too (v1 is kept for what was stored before v2). What `item_subjects` holds
 * of an item, whoever writes it (the duplicate window, the purge): two rows fewer.
 */
export function subjectHashesToStore(
  s: SubjectFields,
  hash: SubjectHasher,
): { all: string[]; stored: string[] } {
  const ids = subjectIdentifiers(s);
  const all = ids.map(hash);
  const hasV2 = ids.some((id) => id.startsWith('person:v2:'));
  return { all, stored: all.filter((_, i) => !(hasV2 && ids[i]!.startsWith('person:v1:'))) };
}
