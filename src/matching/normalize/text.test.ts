import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoizeString } from './memo.ts';
import { foldText, foldWords } from './text.ts';

/** The Unicode folding, written out without any fast path: the oracle. */
function unicodeFold(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}#/-]+/gu, ' ')
    .replace(/(?<!\d)-|-(?!\d)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('foldText', () => {
  it('folds accents, case and punctuation', () => {
    expect(foldText('  Zúñiga-Pérez ')).toBe('ZUNIGA PEREZ');
    expect(foldText('12-14 N. Main St., #4B')).toBe('12-14 N MAIN ST #4B');
    expect(foldWords('N/A')).toBe('N A');
  });

  it('takes the ASCII fast path to the same result as the Unicode folding', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 40 }), (s) => {
        expect(foldText(s)).toBe(unicodeFold(s));
      }),
      { numRuns: 3000 },
    );
  });

  it('folds any text as the Unicode folding does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), (s) => {
        expect(foldText(s)).toBe(unicodeFold(s));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('memoizeString', () => {
  it('computes each string once until the bound, then starts over', () => {
    let calls = 0;
    const f = memoizeString((s: string) => {
      calls++;
      return s.length;
    }, 2);
    expect([f('a'), f('bb'), f('a'), f('bb')]).toEqual([1, 2, 1, 2]);
    expect(calls).toBe(2);
    f('ccc'); // over the bound: the memo starts over
    f('a');
    expect(calls).toBe(4);
  });
});
