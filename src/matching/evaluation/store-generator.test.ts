import { describe, expect, it } from 'vitest';
import { parseTaxpayerRow } from '../../taxpayers/taxpayer-row.ts';
import { fold, hasAccents } from './pools.ts';
import { confusable, dwellingKey, generateEvalStore, renderSurname } from './store-generator.ts';

const store = generateEvalStore({ returns: 20_000, seed: 7 });

describe('generateEvalStore', () => {
  it('is deterministic per seed and differs between seeds', () => {
    const again = generateEvalStore({ returns: 20_000, seed: 7 });
    expect(again.returns).toEqual(store.returns);
    const other = generateEvalStore({ returns: 20_000, seed: 8 });
    expect(other.returns).not.toEqual(store.returns);
  });

  it('writes exactly the number of returns asked for', () => {
    expect(store.returns).toHaveLength(20_000);
    expect(generateEvalStore({ returns: 1_234, seed: 3 }).returns).toHaveLength(1_234);
  });

  it('uses only never-issued TIN areas (000, 666), one person per TIN', () => {
    for (const r of store.returns) expect(r.tin).toMatch(/^(000|666)\d{6}$/);
    expect(new Set(store.people.map((p) => p.tin)).size).toBe(store.people.length);
    expect(store.people.some((p) => p.tin.startsWith('000'))).toBe(true);
    expect(store.people.some((p) => p.tin.startsWith('666'))).toBe(true);
  });

  it('writes returns the import accepts', () => {
    for (const r of store.returns) {
      const row = parseTaxpayerRow(
        Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? '' : String(v)])),
        2026,
      );
      expect(typeof row).toBe('object');
    }
  });

  it("keeps each person's latest return as the address of record", () => {
    const latest = new Map<string, number>();
    for (const r of store.returns) latest.set(r.tin, Math.max(latest.get(r.tin) ?? 0, r.tax_year));
    for (const p of store.people) expect(p.record.tax_year).toBe(latest.get(p.tin));
  });

  it('has households, buildings, movers, juniors and namesakes', () => {
    const shared = [...store.dwellings.values()].filter((tins) => tins.length >= 2);
    expect(shared.length).toBeGreaterThan(1000);
    const multiUnit = [...store.buildings.values()].filter((units) => units.length >= 2);
    expect(multiUnit.length).toBeGreaterThan(100);
    const movers = store.people.filter((p) => p.oldHomes.length > 0);
    expect(movers.length).toBeGreaterThan(500);
    for (const m of movers) expect(dwellingKey(m.oldHomes[0]!)).not.toBe(dwellingKey(m.home));
    const namesakes = [...store.byName.values()].filter((tins) => {
      const cities = new Set(tins.map((t) => store.byTin.get(t)!.home.city));
      return cities.size >= 2;
    });
    expect(namesakes.length).toBeGreaterThan(200);
  });

  it('puts each junior with his senior: same names and home, different dob', () => {
    const seniors = store.people.filter((p) => p.generation === 'Sr');
    expect(seniors.length).toBeGreaterThan(100);
    const writing = new Set<string>();
    for (const sr of seniors) {
      const jr = store.byTin.get(sr.generationPartner!)!;
      expect(jr.generation).toBe('Jr');
      expect(fold(jr.given)).toBe(fold(sr.given));
      expect(renderSurname(jr.surname)).toBe(renderSurname(sr.surname));
      expect(dwellingKey(jr.home)).toBe(dwellingKey(sr.home));
      expect(jr.dob > sr.dob).toBe(true);
      writing.add(`${sr.suffixWritten !== ''}/${jr.suffixWritten !== ''}`);
    }
    expect([...writing].sort()).toEqual(['false/false', 'false/true', 'true/true']);
  });

  it('has the name shapes the engine must handle', () => {
    const has = (f: (p: (typeof store.people)[number]) => boolean) => store.people.some(f);
    expect(has((p) => p.surname.splittable && p.surname.parts.length === 2)).toBe(true);
    expect(has((p) => p.surname.particle === 'de la')).toBe(true);
    expect(has((p) => p.surname.particle === 'dos')).toBe(true);
    expect(has((p) => p.surname.joiner === '-')).toBe(true);
    expect(has((p) => p.given.includes('-'))).toBe(true);
    expect(has((p) => hasAccents(p.record.first_name + p.record.last_name))).toBe(true);
    expect(has((p) => p.record.last_name.startsWith('Đ'))).toBe(true);
    for (const origin of ['vietnamese', 'chinese', 'haitian'] as const) {
      expect(has((p) => p.origin === origin)).toBe(true);
    }
  });

  it('never gives two members of a dwelling confusable given names, except a junior and senior', () => {
    for (const tins of store.dwellings.values()) {
      const people = tins.map((t) => store.byTin.get(t)!);
      for (let i = 0; i < people.length; i++) {
        for (let j = i + 1; j < people.length; j++) {
          const [a, b] = [people[i]!, people[j]!];
          if (a.household !== b.household || a.generationPartner === b.tin) continue;
          expect(confusable(a.given, b.given), `${a.given} / ${b.given}`).toBe(false);
        }
      }
    }
  });
});
