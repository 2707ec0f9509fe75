/**
 * Folds text for comparison: Unicode NFKD with combining marks removed, upper
 * case, punctuation to spaces, runs of spaces collapsed.
 * @example foldText('  Zúñiga-Pérez ') // 'ZUNIGA PEREZ'
 */
export function foldText(s: string): string {
  return (
    s
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toUpperCase()
      // '#' and '/' mark units and fractions; a hyphen survives only between digits ('12-14').
      .replace(/[^\p{L}\p{N}#/-]+/gu, ' ')
      .replace(/(?<!\d)-|-(?!\d)/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

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
