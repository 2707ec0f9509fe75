/**
 * Whether two folded given names may name the same person: equal, a nickname or
 * variant of one another, or sharing a formal name, by the tables in
 * data/nicknames (docs/matching.md#names).
 */
export { givenNamesCompatible } from './normalize/person-name.ts';
