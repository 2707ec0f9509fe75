/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): one byte string per JSON value.
 *
 * A ledger event is serialised once, with these rules, and the bytes are stored and hashed
 * as the Merkle leaf. Anyone can re-derive them from the event to check a leaf, because
 * the rules leave no choice: object members sorted by UTF-16 code units, no whitespace,
 * numbers as ECMAScript prints them, strings with the minimal JSON escapes, UTF-8.
 *
 * Written here rather than taken from a package because it is short, the hashing format must
 * never drift with a dependency, and the ledger wants stricter input than JSON.stringify
 * accepts: anything that is not plainly JSON (Dates, Maps, class instances, BigInt, NaN,
 * lone surrogates, cycles) throws instead of being silently converted or dropped.
 */

/**
 * A JSON value as JCS accepts it. `undefined` object members are left out, as in JSON.
 * @example const event: JsonValue = { type: 'login', actor: 'u_1', at: '2025-01-01T00:00:00Z' }
 */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function serializeString(s: string, path: string): string {
  // I-JSON (RFC 7493), which JCS requires, forbids unpaired surrogates: they have no UTF-8.
  if (LONE_SURROGATE.test(s)) throw new TypeError(`${path}: string has an unpaired surrogate`);
  // JSON.stringify escapes exactly what RFC 8785 §3.2.2.2 asks: '"', '\', and U+0000–U+001F
  // as \b \t \n \f \r or \u00xx in lowercase hex; everything else is written as is.
  return JSON.stringify(s);
}

function serialize(value: unknown, path: string, parents: Set<object>): string {
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return serializeString(value, path);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} is not a JSON number`);
      // RFC 8785 §3.2.2.3 is ECMAScript's Number-to-String, which JSON.stringify applies
      // (and which prints -0 as 0, as JCS wants).
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`${path}: a ${typeof value} is not JSON`);
  }
  if (value === null) return 'null';
  if (parents.has(value)) throw new TypeError(`${path}: circular reference`);
  parents.add(value);
  let out: string;
  if (Array.isArray(value)) {
    // Array.from turns holes into undefined, which is refused rather than written as null.
    const items = Array.from(value as unknown[], (v, i) => serialize(v, `${path}[${i}]`, parents));
    out = `[${items.join(',')}]`;
  } else {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      throw new TypeError(`${path}: only plain objects are JSON (got a ${name})`);
    }
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, the order RFC 8785 §3.2.3 prescribes.
    const members = Object.keys(record)
      .sort()
      .filter((key) => record[key] !== undefined)
      .map(
        (key) =>
          `${serializeString(key, path)}:${serialize(record[key], `${path}.${key}`, parents)}`,
      );
    out = `{${members.join(',')}}`;
  }
  parents.delete(value);
  return out;
}

/**
 * The RFC 8785 canonical JSON text of a value.
 * @throws TypeError for anything that is not plain JSON (see the module comment)
 * @example canonicalJson({ b: [1, 2.50], a: 'x' }) // '{"a":"x","b":[1,2.5]}'
 */
export function canonicalJson(value: JsonValue): string {
  return serialize(value, '$', new Set());
}

/**
 * The RFC 8785 canonical UTF-8 bytes of a value: what the ledger stores and hashes.
 * @throws TypeError for anything that is not plain JSON
 * @example const leaf = leafHash(canonicalBytes({ type: 'result.released', batch: 'b_1' }))
 */
export function canonicalBytes(value: JsonValue): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}
