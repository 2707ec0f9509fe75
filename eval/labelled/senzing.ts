/**
 * The Senzing demo truth set as a store and requests (issue 3, point 6 c). The
 * set is built for entity resolution (same person, any address), so it is
 * turned into "is this person at this address of record?" as described in
 * docs/matching-eval-labelled.md#senzing-truth-set.
 */
import { foldText } from '../../src/matching/normalize/text.ts';
import { personFeatures } from '../../src/matching/features.ts';
import { readSenzing, type SenzingRecord } from './data.ts';
import { InMemoryStore, type EvalRequest } from './harness.ts';

const DIRECTIONS = new Set(['N', 'S', 'E', 'W', 'NORTH', 'SOUTH', 'EAST', 'WEST']);

/**
 * The dwelling as written, for the ground truth only (independent of the
 * engine's parser): the house number, the first street word that is not a
 * direction, the ZIP's first five digits and the city, folded.
 */
function dwelling(r: SenzingRecord) {
  const words = foldText(r.record.street).split(' ');
  const house = /^\d/.test(words[0] ?? '') ? words[0]! : '';
  const street = words.slice(house ? 1 : 0).find((w) => !DIRECTIONS.has(w)) ?? '';
  const zip = (r.record.zip ?? '').replace(/\D/g, '').slice(0, 5);
  return { house, street, zip, city: foldText(r.record.city ?? '') };
}

/** Same dwelling: same house number and street word; ZIPs equal when both are given, else cities when both are. */
export function sameDwelling(a: SenzingRecord, b: SenzingRecord): boolean {
  const x = dwelling(a);
  const y = dwelling(b);
  if (!x.house || x.house !== y.house || x.street !== y.street) return false;
  if (x.zip && y.zip) return x.zip === y.zip;
  if (x.city && y.city) return x.city === y.city;
  return true;
}

/**
 * Requests at their own address of record that nonetheless must not confirm: the
 * truth set says which person they are, but nothing in the request tells that
 * person from a namesake living there (read by hand; the decision rules require
 * MATCH_AMBIGUOUS or review here). Counted as negatives (`namesake_at_address`).
 */
export const AMBIGUOUS_AT_ADDRESS: Record<string, string> = {
  'WATCHLIST:1042':
    'John Smith, no dob: three John Smiths have 3212 W 32nd St as address of record',
  'CUSTOMERS:1045': 'Pat Smith, no dob: Patrick and Patricia Smith live at 3212 W 32nd St',
  'CUSTOMERS:1046': 'Pat Smith, no dob: Patrick and Patricia Smith live at 3212 W 32nd St',
  'CUSTOMERS:2193': 'J Muir: Jim and Jane Muir live at 12396 Austin Rd',
};

export interface SenzingSet {
  store: InMemoryStore;
  requests: EvalRequest[];
  counts: Record<string, number>;
}

/**
 * Store: per truth cluster, its first PERSON record with a street address
 * (customers, then watchlist, then reference, in file order) — the cluster's
 * address of record. Requests: every other PERSON record with a street address
 * (records without a Latin-script name are left out on both sides).
 * A request is a positive (`same_address`) when its cluster's store record is at
 * the same dwelling, and must confirm that record; otherwise it is a negative,
 * `other_address` (the same person at another address, as a mover: must not
 * confirm), or `namesake_at_address` (AMBIGUOUS_AT_ADDRESS). Every request's
 * cluster has a store record by construction; a confirmation of another
 * cluster's record is a false one in any category.
 */
export function buildSenzingSet(): SenzingSet {
  const all = readSenzing();
  const withAddress = all.filter((r) => r.hasAddress && r.hasName);
  const storeByCluster = new Map<string, SenzingRecord>();
  for (const r of withAddress) if (!storeByCluster.has(r.cluster)) storeByCluster.set(r.cluster, r);
  const stored = new Set(storeByCluster.values());
  const id = (r: SenzingRecord) => `${r.source}:${r.recordId}`;
  const store = new InMemoryStore(
    [...stored].map((r) => ({ id: id(r), features: personFeatures(r.record) })),
  );
  const requests: EvalRequest[] = withAddress
    .filter((r) => !stored.has(r))
    .map((r) => {
      const own = storeByCluster.get(r.cluster)!;
      const category = !sameDwelling(r, own)
        ? 'other_address'
        : id(r) in AMBIGUOUS_AT_ADDRESS
          ? 'namesake_at_address'
          : 'same_address';
      return {
        id: id(r),
        features: personFeatures(r.record),
        truth: category === 'same_address' ? id(own) : null,
        category,
        split: 'test',
      };
    });
  const counts: Record<string, number> = {
    person_records: all.length,
    person_records_without_street_address_or_name: all.length - withAddress.length,
    clusters: new Set(all.map((r) => r.cluster)).size,
    store: stored.size,
    requests: requests.length,
  };
  for (const q of requests) counts[q.category] = (counts[q.category] ?? 0) + 1;
  return { store, requests, counts };
}
