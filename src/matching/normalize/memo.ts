/**
 * A bounded memo for a pure function of one string. Normalisation runs several
 * times on the same text of one item (validation, then features) and on the same
 * cities, states and common names across items; a page of items fits well within
 * the bound. When full the memo starts over rather than tracking recency: cheaper,
 * and the next page refills it.
 * @example const foldCity = memoizeString(foldText, 10_000)
 */
export function memoizeString<R>(fn: (s: string) => R, max = 50_000): (s: string) => R {
  const memo = new Map<string, R>();
  return (s: string) => {
    const hit = memo.get(s);
    if (hit !== undefined) return hit;
    const r = fn(s);
    if (memo.size >= max) memo.clear();
    memo.set(s, r);
    return r;
  };
}
