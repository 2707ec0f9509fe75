import type { GivenNamesCompatible } from './comparison.ts';
import { givenNamesCompatible as fromTables } from './normalize/person-name.ts';

const cache = new Map<string, boolean>();
const CACHE_LIMIT = 200_000;

/**
 * Whether two folded given names may name the same person: equal, a nickname or
 * variant of one another, or sharing a formal name, by the tables in
 * data/nicknames (docs/matching.md#name-normalisation). Answers are cached: the
 * same pairs recur across a batch's candidates.
 */
export const givenNamesCompatible: GivenNamesCompatible = (a, b) => {
  if (a === b) return true;
  const key = a < b ? `${a}|${b}` : `${b}|${a}`;
  let answer = cache.get(key);
  if (answer === undefined) {
    answer = fromTables(a, b);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, answer);
  }
  return answer;
};
