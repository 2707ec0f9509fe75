/**
 * The ledger's leaf format (docs/ledger.md, ADR 0006): one event as the RFC 8785 canonical
 * JSON of exactly six fields, stored once and hashed as the Merkle leaf.
 *
 * ```
 * {"actor":"operator:ana","batch_id":"bat_…","index":41,"occurred_at":"2026-01-02T03:04:05.678Z",
 *  "payload":{"items":2},"type":"batch.released"}
 * ```
 *
 * The leaf carries its own `index`, so an entry moved to another position no longer fits
 * it, and the bytes alone say what happened, when, by whom: an auditor needs no column.
 * Encoding works on our own data and throws on misuse; decoding works on stored bytes
 * that may have been tampered with and returns a problem instead of throwing.
 */
import { canonicalBytes, canonicalJson, type JsonValue } from './jcs.ts';

/**
 * The fields of one leaf, as they are hashed.
 * @example const fields: LeafFields = { type: 'login', actor: 'u_1', batch_id: null, occurred_at: new Date().toISOString(), payload: {}, index: 0 }
 */
export interface LeafFields {
  /** Event type, e.g. `batch.released`. */
  type: string;
  /** Who acted: `operator:<login>`, `agency:<client>`, `worker`… Never a taxpayer. */
  actor: string;
  batch_id: string | null;
  /** UTC, millisecond ISO 8601 as `Date.prototype.toISOString` prints it. */
  occurred_at: string;
  /** Identifiers, codes, counts and keyed subject hashes only (no taxpayer data). */
  payload: { readonly [key: string]: JsonValue | undefined };
  /** Position in the log: 0, 1, 2, … with no gaps. */
  index: number;
}

/** The leaf's member names, in canonical (sorted) order. */
export const LEAF_FIELDS = ['actor', 'batch_id', 'index', 'occurred_at', 'payload', 'type'];

const ISO_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The stored bytes of a leaf: RFC 8785 canonical JSON, UTF-8.
 * @throws TypeError when the payload is not plain JSON or a field has the wrong type
 * @example const leaf = encodeLeaf({ type: 'batch.received', actor: 'agency:ice', batch_id: 'bat_1', occurred_at: now, payload: { items: 3 }, index: 12 })
 */
export function encodeLeaf(fields: LeafFields): Uint8Array {
  const problem = fieldProblem(fields as unknown as Record<string, unknown>);
  if (problem) throw new TypeError(`cannot encode a ledger leaf: ${problem}`);
  return canonicalBytes({
    type: fields.type,
    actor: fields.actor,
    batch_id: fields.batch_id,
    occurred_at: fields.occurred_at,
    payload: fields.payload,
    index: fields.index,
  });
}

/** Why a parsed leaf object does not have the leaf's shape, or null when it does. */
function fieldProblem(o: Record<string, unknown>): string | null {
  if (typeof o.type !== 'string' || o.type === '') return 'type is not a non-empty string';
  if (typeof o.actor !== 'string' || o.actor === '') return 'actor is not a non-empty string';
  if (o.batch_id !== null && typeof o.batch_id !== 'string') {
    return 'batch_id is not a string or null';
  }
  if (typeof o.occurred_at !== 'string' || !ISO_MILLIS.test(o.occurred_at)) {
    return 'occurred_at is not a UTC ISO 8601 time with milliseconds';
  }
  const p = o.payload;
  if (p === null || typeof p !== 'object' || Array.isArray(p)) return 'payload is not an object';
  if (typeof o.index !== 'number' || !Number.isSafeInteger(o.index) || o.index < 0) {
    return 'index is not a non-negative integer';
  }
  return null;
}

/**
 * The result of reading stored leaf bytes.
 * @example const d: DecodedLeaf = decodeLeaf(bytes); if (!d.ok) console.error(d.problem)
 */
export type DecodedLeaf = { ok: true; fields: LeafFields } | { ok: false; problem: string };

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads stored leaf bytes back, checking they are exactly the canonical encoding of a
 * leaf: valid UTF-8, JSON, canonical (RFC 8785: same bytes when re-encoded, so no
 * whitespace, duplicate or unsorted members, or number spelled two ways), and the six
 * fields with their types. Never throws.
 * @example decodeLeaf(row.leaf) // { ok: true, fields: { type: 'batch.released', … } }
 */
export function decodeLeaf(bytes: Uint8Array): DecodedLeaf {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { ok: false, problem: 'leaf is not valid UTF-8' };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'leaf is not JSON' };
  }
  let canonical: string;
  try {
    canonical = canonicalJson(parsed as JsonValue);
  } catch (err) {
    return { ok: false, problem: `leaf is not I-JSON (${(err as Error).message})` };
  }
  if (canonical !== text) return { ok: false, problem: 'leaf is not canonical JSON (RFC 8785)' };
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, problem: 'leaf is not a JSON object' };
  }
  const keys = Object.keys(parsed).sort();
  if (keys.join(',') !== LEAF_FIELDS.join(',')) {
    return {
      ok: false,
      problem: `leaf has fields ${keys.join(', ')}; a leaf has exactly ${LEAF_FIELDS.join(', ')}`,
    };
  }
  const problem = fieldProblem(parsed as Record<string, unknown>);
  if (problem) return { ok: false, problem: `leaf ${problem}` };
  return { ok: true, fields: parsed as LeafFields };
}

/**
 * An event as its row stores it next to the leaf (the queryable copy of the leaf's fields).
 * @example const row: EntryColumns = { type, actor, batch_id, occurred_at: '2026-01-02T03:04:05.678Z', payload }
 */
export interface EntryColumns {
  type: string;
  actor: string;
  batch_id: string | null;
  /** As `YYYY-MM-DDTHH:MM:SS.mmmZ` (see events.store.ts, OCCURRED_AT_ISO). */
  occurred_at: string;
  payload: unknown;
}

/**
 * The first column of a row that says something other than its leaf, or null when the
 * row and the leaf agree. Payloads are compared as canonical JSON (jsonb does not keep
 * member order or spelling).
 * @example columnMismatch(leaf.fields, row) // 'payload column does not match the leaf'
 */
export function columnMismatch(leaf: LeafFields, row: EntryColumns): string | null {
  for (const name of ['type', 'actor', 'batch_id', 'occurred_at'] as const) {
    if (leaf[name] !== row[name]) return `${name} column does not match the leaf`;
  }
  let payload: string;
  try {
    payload = canonicalJson(row.payload as JsonValue);
  } catch {
    return 'payload column is not JSON';
  }
  if (payload !== canonicalJson(leaf.payload)) return 'payload column does not match the leaf';
  return null;
}
