import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Root of the repository's data tables (data/, see each folder's SOURCE.md). */
const DATA_DIR = fileURLToPath(new URL('../../../data/', import.meta.url));

/** Reads a two-column CSV table (header skipped) into a Map of first → second column. */
export function readMappingTable(relativePath: string): Map<string, string> {
  const text = readFileSync(DATA_DIR + relativePath, 'utf8');
  const map = new Map<string, string>();
  for (const line of text.split(/\r?\n/).slice(1)) {
    if (!line.trim()) continue;
    const [from, to] = line.split(',');
    if (from && to) map.set(from.trim().toUpperCase(), to.trim().toUpperCase());
  }
  return map;
}

/** Reads a one-entry-per-line list; lines starting with # are comments. */
export function readList(relativePath: string): string[] {
  return readFileSync(DATA_DIR + relativePath, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}
