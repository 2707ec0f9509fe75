import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MATCH_REASON_CODES, REASON_CODES, RESULT_CODES } from './reason-codes.ts';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const DOC = read('docs/reason-codes.md');

/** The text of a `## heading` section, up to the next `## ` heading. */
function section(heading: string): string {
  const start = DOC.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`docs/reason-codes.md has no section "## ${heading}"`);
  const next = DOC.indexOf('\n## ', start + 1);
  return DOC.slice(start, next < 0 ? undefined : next);
}

/** Table rows of a section whose first cell is a code in backticks: code → cells. */
function rows(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^\| `([A-Z0-9_]+)` \|(.*)\|\s*$/.exec(line);
    if (!m) continue;
    if (out.has(m[1]!)) throw new Error(`code ${m[1]} has two rows`);
    out.set(
      m[1]!,
      m[2]!.split('|').map((c) => c.trim()),
    );
  }
  return out;
}

const sorted = (xs: Iterable<string>) => [...xs].sort();

describe('docs/reason-codes.md', () => {
  const items = rows(section('Item reason codes'));

  it('has a row `| `CODE` |` for every item reason code', () => {
    for (const code of Object.keys(REASON_CODES)) {
      expect(DOC, `${code} has no row`).toContain(`| \`${code}\` |`);
    }
  });

  it('its item table names exactly the codes of REASON_CODES', () => {
    expect(sorted(items.keys())).toEqual(sorted(Object.keys(REASON_CODES)));
  });

  it('gives each item code the result class the program gives it', () => {
    for (const [code, cells] of items) {
      expect(cells[0], code).toBe(`\`${REASON_CODES[code as keyof typeof REASON_CODES]}\``);
      expect(
        cells.slice(1).every((c) => c.length > 0),
        `${code} has an empty cell`,
      ).toBe(true);
    }
  });

  it('has a row for every match reason, in a table of its own', () => {
    for (const code of MATCH_REASON_CODES) {
      expect(DOC, `${code} has no row`).toContain(`| \`${code}\` |`);
    }
    expect(sorted(rows(section('Match reasons (operator only, never released)')).keys())).toEqual(
      sorted(MATCH_REASON_CODES),
    );
  });

  it('never lists a match reason as an item reason', () => {
    for (const code of MATCH_REASON_CODES) expect(items.has(code)).toBe(false);
  });

  it('documents exactly the result codes', () => {
    expect(sorted(rows(section('Result codes')).keys())).toEqual(sorted(RESULT_CODES));
  });

  it('documents exactly the batch rejection codes the intake uses', () => {
    const source = read('src/intake/signed-batch.ts') + read('src/intake/submit.ts');
    const used = new Set(
      [...source.matchAll(/(?:reject|EnvelopeProblem)\(\s*'([A-Z0-9_]+)'/g)].map((m) => m[1]!),
    );
    expect(used.size).toBeGreaterThan(0);
    expect(sorted(rows(section('Batch rejection codes')).keys())).toEqual(sorted(used));
  });
});
