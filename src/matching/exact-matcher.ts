import { addressKeys, type AddressKeys } from './normalize/address.ts';
import { nameKeys, type NameKeys } from './normalize/name.ts';
import type { ValidItem } from '../policy/item-rules.ts';
import type { MatchReasonCode } from '../policy/reason-codes.ts';

/** Version of the matcher; every proposed outcome records it. */
export const MODEL_VERSION = 'exact-1';

/** What matching compares for one request item. */
export interface MatchKeys extends NameKeys, AddressKeys {
  position: number;
}

/** A taxpayer's address of record as the blocking query returns it. */
export interface Candidate extends NameKeys, AddressKeys {
  position: number;
  tin: string;
}

export interface MatchProposal {
  position: number;
  outcome: 'CONFIRMED' | 'NOT_CONFIRMED';
  reasons: MatchReasonCode[];
  /** TINs whose returns were inspected to decide (for the accounting; never released). */
  inspected: string[];
}

/** @example matchKeysFor(3, validItem) */
export function matchKeysFor(position: number, item: ValidItem): MatchKeys {
  return { position, ...nameKeys(item), ...addressKeys(item) };
}

/**
 * Decides one item from its candidates: CONFIRMED only when exactly one taxpayer's
 * address of record agrees on the whole name, the street line, the unit (both
 * empty or equal) and the ZIP or, when the request has no ZIP, city and state.
 * Anything else is NOT_CONFIRMED — including two taxpayers that both agree.
 */
export function decide(keys: MatchKeys, candidates: Candidate[]): MatchProposal {
  const agreeing = candidates.filter(
    (c) =>
      c.first_key === keys.first_key &&
      c.last_key === keys.last_key &&
      c.street_key === keys.street_key &&
      c.unit_key === keys.unit_key &&
      (keys.zip5 ? c.zip5 === keys.zip5 : c.city_key === keys.city_key && c.state === keys.state),
  );
  const inspected = [...new Set(candidates.map((c) => c.tin))];
  const tins = new Set(agreeing.map((c) => c.tin));
  if (tins.size === 1)
    return { position: keys.position, outcome: 'CONFIRMED', reasons: [], inspected };
  return {
    position: keys.position,
    outcome: 'NOT_CONFIRMED',
    reasons: [tins.size === 0 ? 'MATCH_NONE' : 'MATCH_AMBIGUOUS'],
    inspected,
  };
}
