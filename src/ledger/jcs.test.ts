import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalJson, type JsonValue } from './jcs.ts';

/** The double with the given IEEE 754 bit pattern (RFC 8785 Appendix B lists them so). */
function double(bits: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${bits}`));
  return view.getFloat64(0);
}

describe('RFC 8785 examples', () => {
  it('§3.2.2: whitespace, literals, numbers and string escapes', () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
    const value = JSON.parse(input) as JsonValue;
    expect(canonicalJson(value)).toBe(expected);
    // §3.2.4: the same, as the UTF-8 bytes the RFC lists.
    const hex = [
      '7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72',
      '75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a',
      '5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31',
      '65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37',
      '5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30',
      '30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d',
    ].join(' ');
    expect(
      Buffer.from(canonicalBytes(value))
        .toString('hex')
        .replace(/(..)(?!$)/g, '$1 '),
    ).toBe(hex);
  });

  it('§3.2.3: members sorted by UTF-16 code units', () => {
    const input = String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`;
    const out = canonicalJson(JSON.parse(input) as JsonValue);
    expect(out.startsWith('{"\\r":"Carriage Return","1":"One","\u0080":"Control"')).toBe(true);
    expect(Object.values(JSON.parse(out) as Record<string, string>)).toEqual([
      // JSON.parse puts the integer-like key "1" first; the text order is checked above.
      'One',
      'Carriage Return',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
    expect(out.indexOf('Euro')).toBeLessThan(out.indexOf('Emoji'));
    expect(out.indexOf('Emoji')).toBeLessThan(out.indexOf('Hebrew'));
  });

  it('Appendix B: number serialisation', () => {
    const cases: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, text] of cases)
      expect([bits, canonicalJson(double(bits))]).toEqual([bits, text]);
    for (const bits of ['7fffffffffffffff', '7ff0000000000000']) {
      expect(() => canonicalJson(double(bits))).toThrow(TypeError);
    }
  });
});

describe('ledger strictness', () => {
  it('leaves out undefined members and keeps nested order canonical', () => {
    const event = { type: 'login', batchId: undefined, at: { z: 1, a: [true, null] } };
    expect(canonicalJson(event)).toBe('{"at":{"a":[true,null],"z":1},"type":"login"}');
    expect(canonicalJson(Object.assign(Object.create(null) as object, { b: 1, a: 2 }))).toBe(
      '{"a":2,"b":1}',
    );
  });

  it('refuses what is not plainly JSON', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [1, , 3];
    const bad: unknown[] = [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      10n,
      undefined,
      () => 1,
      Symbol('s'),
      new Date(0),
      new Map(),
      [undefined],
      sparse,
      'lone \ud800 surrogate',
      { '\udc00': 1 },
      cyclic,
    ];
    for (const value of bad) expect(() => canonicalJson(value as JsonValue)).toThrow(TypeError);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { a: 1 };
    expect(canonicalJson([shared, { shared }])).toBe('[{"a":1},{"shared":{"a":1}}]');
  });

  it('writes non-ASCII as UTF-8 and escapes only what JSON must', () => {
    const text = canonicalJson({ s: 'é\u2028\u007f\u001f😀' });
    expect(text).toBe('{"s":"é\u2028\u007f\\u001f😀"}');
    expect(Buffer.from(canonicalBytes({ s: 'é' })).toString('hex')).toBe('7b2273223a22c3a9227d');
  });
});
