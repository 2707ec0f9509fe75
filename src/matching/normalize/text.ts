import { memoizeString } from './memo.ts';

/**
 * Folds text for comparison: Unicode NFKD with combining marks removed, upper
 * case, punctuation to spaces, runs of spaces collapsed.
 * @example foldText('  Zúñiga-Pérez ') // 'ZUNIGA PEREZ'
 */
export const foldText = memoizeString(foldTextOnce);

function foldTextOnce(s: string): string {
  // ASCII needs no decomposition, and its letters and digits are [A-Z0-9] once
  // upper-cased: the same result as the Unicode path, several times faster.
  const folded = ASCII.test(s)
    ? s.toUpperCase().replace(/[^A-Z0-9#/-]+/g, ' ')
    : s
        .normalize('NFKD')
        .replace(/\p{M}+/gu, '')
        .toUpperCase()
        .replace(/[^\p{L}\p{N}#/-]+/gu, ' ');
  // '#' and '/' mark units and fractions; a hyphen survives only between digits ('12-14').
  return folded
    .replace(/(?<!\d)-|-(?!\d)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

/**
 * Folds text to bare words, for comparing with word lists (placeholders):
 * '#', '/' and '-' become spaces too.
 * @example foldWords('N/A') // 'N A'
 */
export function foldWords(s: string): string {
  return foldText(s)
    .replace(/[#/-]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
