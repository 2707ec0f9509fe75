import type { MatchReasonCode } from '../policy/reason-codes.ts';
import type { ComparisonVector } from './comparison.ts';
import type { Score } from './scoring.ts';

/** Thresholds of the decision rules (docs/adr/0005-matching-thresholds.md). */
export interface DecisionThresholds {
  /** Match probability a confirmation needs, besides the hard rules. */
  confirm: number;
  /** Below this a candidate is not plausible at all. */
  plausible: number;
}

export const DEFAULT_THRESHOLDS: DecisionThresholds = { confirm: 0.9, plausible: 0.5 };

export interface ScoredCandidate {
  tin: string;
  vector: ComparisonVector;
  score: Score;
}

/** The engine's operator-only reasons (docs/reason-codes.md#match-reasons). */
export type DecisionReason = Exclude<MatchReasonCode, 'REVIEW_DECIDED'>;

export interface Decision {
  outcome: 'CONFIRMED' | 'NOT_CONFIRMED' | 'PENDING_REVIEW';
  reasons: DecisionReason[];
  /** The candidate the outcome is about (the best one), for explanations. */
  best: ScoredCandidate | null;
  /** The other plausible candidates, strongest first. */
  rivals: ScoredCandidate[];
}

// A module-level builder, not closures made per call: the TypeScript loader (tsx) names
// every closure as it is created, which showed in the profile of a batch's matching.
function outcome(
  kind: 'NOT_CONFIRMED' | 'PENDING_REVIEW',
  reason: DecisionReason,
  best: ScoredCandidate,
  rivals: ScoredCandidate[],
): Decision {
  return { outcome: kind, reasons: [reason], best, rivals };
}

/** The house number and the ZIP (or city and state) agree. */
function houseAndLocalityAgree(v: ComparisonVector): boolean {
  return v.house === 'exact' && (v.locality === 'zip_exact' || v.locality === 'city_exact');
}

/** Whether the full street address agrees: number, street, locality, and no unit conflict. */
function addressAgrees(v: ComparisonVector): boolean {
  return v.street === 'exact' && houseAndLocalityAgree(v);
}

/**
 * The house number and locality agree and the street is one typo away, or differs only
 * by a suffix or directional written on one side: most likely the same house, its
 * street written otherwise on one return.
 */
function streetNearlyAtAddress(v: ComparisonVector): boolean {
  return (v.street === 'typo' || !!v.streetPartial) && houseAndLocalityAgree(v);
}

/** A candidate at the request's address whose name agrees: a namesake there. */
function atAddress(c: ScoredCandidate): boolean {
  return addressAgrees(c.vector) && nameAgrees(c.vector);
}

/**
 * Keeps the candidates `keep` accepts, and says whether it dropped one at the address
 * whose date of birth agrees: the request's names then point at one person there and
 * its date of birth at another.
 */
function narrow(
  plausible: ScoredCandidate[],
  keep: (c: ScoredCandidate) => boolean,
): { kept: ScoredCandidate[]; droppedDobMatch: boolean } {
  const kept: ScoredCandidate[] = [];
  let droppedDobMatch = false;
  for (const c of plausible) {
    if (keep(c)) kept.push(c);
    else if (c.vector.dob === 'exact' && atAddress(c)) droppedDobMatch = true;
  }
  return { kept, droppedDobMatch };
}

/** The surname agrees and the given name is an initial of the other. */
function initialAgrees(v: ComparisonVector): boolean {
  return (v.surname === 'exact' || v.surname === 'part') && v.given === 'initial';
}

/**
 * How namesakes at the address are narrowed, in order: a step applies when a namesake
 * there `shows` it, and keeps the candidates it `keeps`; `reason` when it drops the one
 * whose date of birth agrees.
 */
const NARROWING_STEPS: readonly {
  shows: (v: ComparisonVector, statesMiddle: boolean) => boolean;
  keeps: (c: ScoredCandidate) => boolean;
  reason: DecisionReason;
  needsRequestSuffix?: true;
}[] = [
  // The first given name, over a shared second given name. When the request states a
  // second given name, only a namesake that agrees on it too shows it: JOHN WILLIAM is
  // as likely the son who goes by WILLIAM as the father JOHN (ADR 0013).
  // A compound first name (JEAN-CLAUDE) is one name: a namesake who agrees on all of it
  // shows that the one with its first part alone (JEAN) is another.
  {
    shows: (v, statesMiddle) =>
      v.given === 'exact' && !v.compoundCut && (!statesMiddle || v.middle === 'same'),
    keeps: (c) => c.vector.given !== 'other_given' && !c.vector.compoundCut,
    reason: 'MATCH_AMBIGUOUS',
  },
  // A middle name the request states.
  {
    shows: (v) => v.middle === 'same' && !v.compoundCut,
    keeps: (c) => c.vector.middle !== 'different' && !c.vector.compoundCut,
    reason: 'MATCH_AMBIGUOUS',
  },
  // A Jr/Sr the request states.
  {
    shows: (v) => v.suffix === 'same',
    keeps: (c) => c.vector.suffix === 'same',
    reason: 'SUFFIX_CONFLICT',
    needsRequestSuffix: true,
  },
];

/**
 * Names that agree but may name a relative at the address: a Jr or Sr on one side only
 * (the father or the son); a nickname or spelling men and women both bear (PAT for
 * PATRICIA, KYLE for KYLIE: her husband or brother, ADR 0013); two names each borne in
 * its own right joined by a nickname row (JOHN for JONATHAN, LISA for MELISSA: the
 * father or the sister); a compound first name against its first part alone
 * (JEAN-CLAUDE, JEAN: the father or the son who dropped the second part).
 */
function pointsAtARelative(v: ComparisonVector): boolean {
  return !!(v.suffixOneSide || v.givenEitherSex || v.givenTwoNames || v.compoundCut);
}

function nameAgrees(v: ComparisonVector): boolean {
  return (
    (v.surname === 'exact' || v.surname === 'part' || v.surname === 'typo') &&
    (v.given === 'exact' ||
      v.given === 'other_given' ||
      v.given === 'nickname' ||
      v.given === 'typo') &&
    // A typo is accepted in one name only.
    !(v.surname === 'typo' && v.given === 'typo')
  );
}

/**
 * Precision first. CONFIRMED only when one taxpayer's address of record agrees
 * on the name and the full address, scores above the threshold, and no other
 * taxpayer at the address with a compatible name remains after narrowing, plausible
 * or not (ADR 0014). A conflicting unit, suffix (Jr/Sr) or date of birth never
 * confirms; neither do two candidates, a second given name alone, second given names
 * that differ, or names that may point at a relative (pointsAtARelative) without an
 * agreeing date of birth (ADR 0012, ADR 0013), nor an address in care of someone else,
 * nor a request whose name and date of birth another candidate elsewhere shares.
 * Undecidable but strong cases go to review; the rest are NOT_CONFIRMED.
 * @example decide(candidates.map((c) => ({ tin, vector, score })))
 */
export function decide(
  candidates: ScoredCandidate[],
  t: DecisionThresholds = DEFAULT_THRESHOLDS,
  req?: { suffix: string | null; given?: readonly string[] },
): Decision {
  let plausible = candidates
    .filter((c) => c.score.probability >= t.plausible)
    .sort((a, b) => b.score.weight - a.score.weight);
  if (plausible.length === 0)
    return { outcome: 'NOT_CONFIRMED', reasons: ['MATCH_NONE'], best: null, rivals: [] };
  // Candidates under the plausible threshold are never chosen, but one the rival rule
  // would count still names a second person at the address: a son `J SMITH` in the
  // rear unit weighs little (an initial, a unit the request lacks) and is still there.
  // The narrowing applies to them as to the others.
  let implausible = candidates.filter((c) => c.score.probability < t.plausible);

  // Namesakes at the address (a junior and a senior) before any narrowing, plausible or
  // not: a son in the rear unit whose date of birth differs weighs little, and is there.
  const namesakes = [...plausible, ...implausible].filter(atAddress).length > 1;
  // A date of birth narrows the candidates, never replaces the address: drop those
  // whose dob conflicts when one at the address agrees. Only what a namesake at the
  // address shows narrows: one elsewhere tells nothing of who lives here.
  if (plausible.some((c) => c.vector.dob === 'exact' && atAddress(c))) {
    plausible = plausible.filter((c) => c.vector.dob !== 'different');
    implausible = implausible.filter((c) => c.vector.dob !== 'different');
  }
  // So do the first given name, a middle name and a generational suffix the request
  // states, between namesakes. A step that drops the one whose date of birth agrees
  // leaves a request whose names and dob point at different people: about nobody.
  let pointsApart: DecisionReason | null = null;
  const statesMiddle = (req?.given?.length ?? 0) > 1;
  for (const step of NARROWING_STEPS) {
    if (!namesakes || (step.needsRequestSuffix && !req?.suffix)) continue;
    if (!plausible.some((c) => step.shows(c.vector, statesMiddle) && atAddress(c))) continue;
    const n = narrow(plausible, step.keeps);
    // A step keeps the namesake that shows it; should it ever keep none, it tells
    // nothing and is passed over rather than leave no candidate.
    if (n.kept.length === 0) continue;
    const m = narrow(implausible, step.keeps);
    plausible = n.kept;
    implausible = m.kept;
    if (n.droppedDobMatch || m.droppedDobMatch) pointsApart ??= step.reason;
  }
  const [best, ...rivals] = plausible as [ScoredCandidate, ...ScoredCandidate[]];
  const v = best.vector;

  if (
    v.house !== 'exact' ||
    v.locality === 'zip_different' ||
    v.locality === 'zip_missing_city_different'
  ) {
    return outcome('NOT_CONFIRMED', 'ADDRESS_DIFFERS', best, rivals);
  }
  if (v.unit === 'different' || v.unit === 'record_missing')
    return outcome('NOT_CONFIRMED', 'UNIT_CONFLICT', best, rivals);
  if (v.suffix === 'conflict') return outcome('NOT_CONFIRMED', 'SUFFIX_CONFLICT', best, rivals);
  // Between namesakes, a Jr/Sr on the request must name the one chosen: a request
  // whose suffix and date of birth point at different people is about nobody.
  if (namesakes && req?.suffix && v.suffix !== 'same')
    return outcome('NOT_CONFIRMED', 'SUFFIX_CONFLICT', best, rivals);
  if (pointsApart) return outcome('NOT_CONFIRMED', pointsApart, best, rivals);
  if (v.dob === 'different') return outcome('NOT_CONFIRMED', 'DOB_CONFLICT', best, rivals);

  // Two plausible people at this address with compatible names (a junior and a
  // senior, a namesake in the household): never a confirmation, and not worth a
  // review.
  // Nothing in the request tells them apart, so a reviewer could not either.
  // A rival written with an initial (J SMITH where JOHN SMITH was asked) may be him too,
  // and one whose street is misspelt, or lacks its suffix or a directional, may live
  // here too (ADR 0014).
  const rivalAtAddress = [...rivals, ...implausible].find(
    (r) =>
      (addressAgrees(r.vector) || streetNearlyAtAddress(r.vector)) &&
      (nameAgrees(r.vector) || initialAgrees(r.vector)) &&
      r.vector.unit !== 'different',
  );
  if (rivalAtAddress) {
    const named = rivals.includes(rivalAtAddress) ? rivals : [...rivals, rivalAtAddress];
    return outcome('NOT_CONFIRMED', 'MATCH_AMBIGUOUS', best, named);
  }
  // One person under two TINs (an ITIN, then an SSN): another taxpayer whose name and
  // date of birth agree as the best's do, in another dwelling, is the requested person
  // as much as the best is, and which address is his now the request cannot tell (the
  // eighth hunt: the older TIN's Apt 1 confirmed, its holder filing from Apt 7 since).
  if (v.dob === 'exact') {
    const sameFiler = [...rivals, ...implausible].find(
      (r) => r.vector.dob === 'exact' && nameAgrees(r.vector),
    );
    if (sameFiler) {
      const named = rivals.includes(sameFiler) ? rivals : [...rivals, sameFiler];
      return outcome('NOT_CONFIRMED', 'MATCH_AMBIGUOUS', best, named);
    }
  }

  if (v.street !== 'exact') return outcome('PENDING_REVIEW', 'ADDRESS_DIFFERS', best, rivals);
  if (v.unit === 'request_missing')
    return outcome('PENDING_REVIEW', 'UNIT_UNCERTAIN', best, rivals);
  if (!nameAgrees(v))
    return best.score.probability >= t.confirm
      ? outcome('PENDING_REVIEW', 'NAME_UNCERTAIN', best, rivals)
      : outcome('NOT_CONFIRMED', 'MATCH_WEAK', best, rivals);
  if (best.score.probability < t.confirm)
    return outcome('PENDING_REVIEW', 'MATCH_WEAK', best, rivals);
  // Only a second given name, or a nickname of one, agrees (WILLIAM or BILL for JOHN
  // WILLIAM): households share those, whatever the weight says.
  if (v.given === 'other_given') return outcome('PENDING_REVIEW', 'NAME_UNCERTAIN', best, rivals);
  // Both name a second given name and they differ (JOSE LUIS, JOSE ANTONIO): a father
  // and a son as often as one person written two ways.
  if (v.middle === 'different') return outcome('PENDING_REVIEW', 'NAME_UNCERTAIN', best, rivals);
  // Names that may point at a relative who need not file: a date of birth that agrees
  // tells which; without one a person decides.
  if (pointsAtARelative(v) && v.dob !== 'exact')
    return outcome('PENDING_REVIEW', 'NAME_UNCERTAIN', best, rivals);
  // Mail in care of someone else ('c/o Mary Jones, 12 Main St'): all else agrees, but
  // the address is hers; whether he lives there is for a person to judge. Last, so that
  // a weak name is refused as without it.
  if (v.careOf) return outcome('PENDING_REVIEW', 'ADDRESS_CARE_OF', best, rivals);
  return { outcome: 'CONFIRMED', reasons: [], best, rivals };
}
