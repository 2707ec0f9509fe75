/**
 * Folds text for comparison: Unicode NFKD with combining marks removed, upper
 * case, punctuation to spaces, runs of spaces collapsed.
 * @example foldText('  Zúñiga-Pérez ') // 'ZUNIGA PEREZ'
 */
export function foldText(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}#/]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
