import { describe, expect, it } from 'vitest';
import { buildAgreement } from '../../../test/support/builders.ts';
import { BatchItemJudge, validateItem } from '../../policy/item-rules.ts';
import { editDistance, fold, KNOWN_GIVEN, NICKNAMES, stripAccents, SUFFIX_WORDS } from './pools.ts';
import {
  CATEGORIES,
  generateRequests,
  isPositive,
  NEGATIVE_CATEGORIES,
  POSITIVE_CATEGORIES,
  type GeneratedRequest,
} from './request-generator.ts';
import {
  dwellingKey,
  generateEvalStore,
  renderStreetLine,
  renderSurname,
  type EvalPerson,
} from './store-generator.ts';

const TODAY = '2026-11-24';
const store = generateEvalStore({ returns: 30_000, seed: 5 });
const set = generateRequests(store, { items: 3_000, seed: 5, today: TODAY });
const ctx = { agreement: buildAgreement(), today: TODAY };
const inCategory = (c: string) => set.requests.filter((q) => q.category === c);

/** The dwelling key's parts: city|state|number|preDir|name|suffix|postDir|unit. */
function dwellingParts(key: string) {
  const [city, state, number, preDir, name, suffix, postDir, unit] = key.split('|');
  return { city, state, number, preDir, name, suffix, postDir, unit } as Record<string, string>;
}

/** Taxpayers whose address of record is this dwelling. */
const residentsOf = (key: string): EvalPerson[] =>
  (store.dwellings.get(key) ?? []).map((t) => store.byTin.get(t)!);

/** Taxpayers whose address of record is anywhere in the building of this dwelling. */
function residentsOfBuilding(key: string): EvalPerson[] {
  const building = key.slice(0, key.lastIndexOf('|'));
  return [...store.dwellings.entries()]
    .filter(([k]) => k.startsWith(`${building}|`))
    .flatMap(([, tins]) => tins.map((t) => store.byTin.get(t)!));
}

/** Same person by name in the strict sense: folded given name and surname parts equal. */
const sameName = (p: EvalPerson, q: GeneratedRequest) =>
  fold(p.given) === fold(q.item.first_name) &&
  fold(renderSurname(p.surname)) === fold(q.item.last_name.replace(/\b(jr|sr)\b\.?/i, ''));

describe('generateRequests', () => {
  it('is deterministic per seed', () => {
    const again = generateRequests(store, { items: 3_000, seed: 5, today: TODAY });
    expect(again.requests).toEqual(set.requests);
    const other = generateRequests(store, { items: 3_000, seed: 6, today: TODAY });
    expect(other.requests).not.toEqual(set.requests);
  });

  it('produces every category in its planned number', () => {
    expect(set.requests).toHaveLength(3_000);
    for (const c of CATEGORIES) {
      expect(set.shortfall[c], c).toBe(0);
      expect(inCategory(c).length, c).toBe(set.planned[c]);
      expect(inCategory(c).length, c).toBeGreaterThan(0);
    }
  });

  it('gives a TIN only to positives, and only TINs from 000 or 666', () => {
    for (const q of set.requests) {
      expect(q.expectedTin !== null).toBe(isPositive(q.category));
      for (const tin of [q.expectedTin, q.subjectTin]) {
        if (tin !== null) {
          expect(tin).toMatch(/^(000|666)\d{6}$/);
          expect(store.byTin.has(tin)).toBe(true);
        }
      }
    }
  });

  it('makes every item a lawful request that passes intake validation, with no duplicates', () => {
    const judge = new BatchItemJudge(ctx);
    for (const q of set.requests) {
      const alone = validateItem(q.item, ctx);
      expect(alone.valid, JSON.stringify({ q, alone })).toBe(true);
      expect(judge.judge(q.item).valid, q.item.request_id).toBe(true);
    }
  });

  it("writes each request's address as the dwelling its ground truth names", () => {
    for (const q of set.requests) {
      const d = dwellingParts(q.dwelling);
      const street = fold(q.item.street);
      const lines = [false, true].map((spelled) => fold(renderStreetLine(d as never, { spelled })));
      if (q.category === 'street_words') continue; // ordinals as words: checked below
      if (q.category === 'street_spacing') continue; // spaced otherwise: checked below
      expect(
        lines.some((l) => street === l || street.startsWith(`${l} `)),
        `${q.category}: ${q.item.street} vs ${q.dwelling}`,
      ).toBe(true);
      if (q.item.zip) expect(q.item.zip.replace('-', '').slice(0, 5)).toMatch(/^\d{5}$/);
      if (q.item.city) expect(fold(q.item.city)).toBe(fold(d.city!));
      const unitText = fold(
        q.item.unit || street.slice(lines.find((l) => street.startsWith(l))!.length),
      );
      expect(unitText.endsWith(fold(d.unit!))).toBe(true);
    }
  });

  describe('positives name their target at the address of record', () => {
    it('puts the expected taxpayer at the named dwelling', () => {
      for (const q of set.requests.filter((x) => x.expectedTin)) {
        expect(dwellingKey(store.byTin.get(q.expectedTin!)!.home)).toBe(q.dwelling);
      }
    });

    it('spaces the street otherwise and changes nothing else of it', () => {
      const letters = (s: string) => fold(s).replaceAll(' ', '');
      for (const q of inCategory('street_spacing')) {
        const d = dwellingParts(q.dwelling);
        const glued = { ...d, name: `${d.name} ${SUFFIX_WORDS[d.suffix!] ?? ''}`, suffix: '' };
        const forms = [false, true].flatMap((spelled) =>
          [d, glued].map((a) => renderStreetLine(a as never, { spelled })),
        );
        expect(forms.map(letters), q.item.street).toContain(letters(q.item.street));
        expect(forms.map(fold), q.item.street).not.toContain(fold(q.item.street));
        expect(fold(q.item.unit)).toContain(fold(d.unit!));
      }
    });

    it('applies the noise the category says', () => {
      for (const q of inCategory('exact')) {
        const r = store.byTin.get(q.expectedTin!)!.record;
        expect(fold(q.item.first_name)).toBe(fold(r.first_name));
        expect(fold(q.item.last_name)).toBe(fold(r.last_name));
        expect(fold(q.item.street)).toBe(fold(r.street));
      }
      for (const q of inCategory('nickname')) {
        const p = store.byTin.get(q.expectedTin!)!;
        expect(NICKNAMES[fold(p.given)]!.map(fold)).toContain(fold(q.item.first_name));
      }
      for (const q of inCategory('typo_given_name')) {
        const p = store.byTin.get(q.expectedTin!)!;
        expect(editDistance(fold(q.item.first_name), fold(p.given), 3)).toBe(1);
        expect(KNOWN_GIVEN.has(fold(q.item.first_name))).toBe(false);
      }
      for (const q of inCategory('particle_dropped')) {
        expect(q.item.last_name.toLowerCase()).not.toMatch(/^(de|del|dos|da|do) /);
      }
      for (const q of inCategory('missing_city'))
        expect([q.item.city, !!q.item.zip]).toEqual(['', true]);
      for (const q of inCategory('missing_zip'))
        expect([q.item.zip, !!q.item.city]).toEqual(['', true]);
      for (const q of inCategory('zip_plus4')) expect(q.item.zip).toMatch(/^\d{5}-?\d{4}$/);
      for (const q of inCategory('accents')) {
        const r = store.byTin.get(q.expectedTin!)!.record;
        expect(`${q.item.first_name} ${q.item.last_name}`).not.toBe(
          `${r.first_name} ${r.last_name}`,
        );
        expect(stripAccents(q.item.last_name).toUpperCase()).toBe(
          stripAccents(r.last_name).toUpperCase(),
        );
      }
    });
  });

  describe('negatives have no matching taxpayer under their rule', () => {
    it('household member: same surname and address, and no one there has that given name', () => {
      for (const q of inCategory('household_member')) {
        const subject = store.byTin.get(q.subjectTin!)!;
        expect(q.dwelling).toBe(dwellingKey(subject.home));
        for (const o of residentsOf(q.dwelling)) {
          expect(fold(o.given)).not.toBe(fold(q.item.first_name));
        }
      }
    });

    it("namesake: the namesake's address of record differs, and no one of that name lives there", () => {
      for (const q of inCategory('namesake_elsewhere')) {
        const namesake = store.byTin.get(q.subjectTin!)!;
        expect(sameName(namesake, q)).toBe(true);
        expect(dwellingKey(namesake.home)).not.toBe(q.dwelling);
        expect(residentsOfBuilding(q.dwelling).filter((o) => sameName(o, q))).toEqual([]);
      }
    });

    it("mover: the request is an older return's address, not the address of record", () => {
      for (const q of inCategory('mover_old_address')) {
        const mover = store.byTin.get(q.subjectTin!)!;
        expect(mover.oldHomes.map(dwellingKey)).toContain(q.dwelling);
        expect(dwellingKey(mover.home)).not.toBe(q.dwelling);
        expect(residentsOfBuilding(q.dwelling).filter((o) => sameName(o, q))).toEqual([]);
      }
    });

    it('junior/senior ambiguous: two taxpayers there carry the name, and no suffix or dob tells them apart', () => {
      for (const q of inCategory('junior_senior_ambiguous')) {
        expect(residentsOf(q.dwelling).filter((o) => sameName(o, q))).toHaveLength(2);
        expect(q.item.dob).toBeUndefined();
        expect(q.item.last_name).not.toMatch(/\b(jr|sr)\b/i);
      }
    });

    it('junior/senior conflict: the suffix names one of the pair, the dob the other', () => {
      for (const q of inCategory('junior_senior_conflict')) {
        const pair = residentsOf(q.dwelling).filter((o) => sameName(o, q));
        expect(pair).toHaveLength(2);
        const said = /\bjr\b/i.test(q.item.last_name) ? 'Jr' : 'Sr';
        const bySuffix = pair.find((o) => o.generation === said)!;
        const byDob = pair.find((o) => o.dob === q.item.dob)!;
        expect(bySuffix.tin).not.toBe(byDob.tin);
      }
    });

    it('neighbour: same building, another occupied unit, where no one has the name', () => {
      for (const q of inCategory('neighbour_other_unit')) {
        const subject = store.byTin.get(q.subjectTin!)!;
        const d = dwellingParts(q.dwelling);
        expect(d.unit).not.toBe(subject.home.unit);
        expect(q.dwelling.slice(0, q.dwelling.lastIndexOf('|'))).toBe(
          dwellingKey(subject.home).slice(0, dwellingKey(subject.home).lastIndexOf('|')),
        );
        expect(residentsOf(q.dwelling).length).toBeGreaterThan(0);
        expect(residentsOf(q.dwelling).filter((o) => sameName(o, q))).toEqual([]);
      }
    });

    it('not in store: no taxpayer of that name has the address as address of record', () => {
      for (const q of inCategory('not_in_store')) {
        expect(residentsOfBuilding(q.dwelling).filter((o) => sameName(o, q))).toEqual([]);
      }
    });

    /** The subject's own address with one part changed, where no one of that name lives. */
    const onlyPartChanged = (category: string, part: 'preDir' | 'number') => {
      for (const q of inCategory(category)) {
        const home = store.byTin.get(q.subjectTin!)!.home;
        const d = dwellingParts(q.dwelling);
        expect(d[part]).not.toBe(home[part]);
        expect({ ...d, [part]: home[part] }).toEqual(dwellingParts(dwellingKey(home)));
        expect(residentsOfBuilding(q.dwelling).filter((o) => sameName(o, q))).toEqual([]);
      }
    };

    it('other directional: only the pre-directional differs, and no one of that name lives there', () =>
      onlyPartChanged('other_directional', 'preDir'));

    it('wrong house number: only the number differs, and no one of that name lives there', () =>
      onlyPartChanged('wrong_house_number', 'number'));

    it('covers every negative category and every positive category', () => {
      for (const c of [...POSITIVE_CATEGORIES, ...NEGATIVE_CATEGORIES]) {
        expect(inCategory(c).length).toBeGreaterThan(0);
      }
    });
  });
});
