/**
 * C2SP tlog-tiles paths (c2sp.org/tlog-tiles): how a tile or entry bundle is named, and how
 * an entry bundle is encoded. Pure; the server maps the paths onto `LedgerLog`.
 *
 * A tile at level L, index N lists W (1…256) consecutive hashes of tree level 8·L from
 * index 256·N: level 0 the leaf hashes, level 1 the roots of complete 256-leaf subtrees, and
 * so on. A full tile (W = 256) is `tile/<L>/<N>`, a partial one `tile/<L>/<N>.p/<W>`. N is
 * written in 3-digit groups, all but the last prefixed with `x` (1234067 →
 * `x001/x234/067`). Entry bundles use the same scheme under `tile/entries/`.
 */

/**
 * Hashes (or entries) per full tile.
 * @example TILE_WIDTH * 32 // bytes of a full hash tile
 */
export const TILE_WIDTH = 256;

/** Highest tile level the specification allows (63 · 8 bits of tree height). */
const MAX_LEVEL = 63;

/**
 * A parsed tile path: `level` is null for an entry bundle.
 * @example const t: TileRef = { level: 0, index: 3, width: 256 }
 */
export interface TileRef {
  level: number | null;
  index: number;
  width: number;
}

/**
 * The index part of a tile path: 3-digit groups, all but the last with an `x` prefix.
 * @example formatTileIndex(1234067) // 'x001/x234/067'
 */
export function formatTileIndex(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`bad tile index ${index}`);
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/**
 * A tile's path below `tile/`, e.g. `0/x001/067.p/7` or `entries/005`.
 * @example formatTilePath({ level: 1, index: 2, width: 256 }) // '1/002'
 */
export function formatTilePath(tile: TileRef): string {
  const head = tile.level === null ? 'entries' : String(tile.level);
  const partial = tile.width < TILE_WIDTH ? `.p/${tile.width}` : '';
  return `${head}/${formatTileIndex(tile.index)}${partial}`;
}

/**
 * Parses the part of a tile URL after `tile/`; null unless it is exactly the canonical
 * form (no leading zeros in L or W, minimal index groups), so each tile has one URL.
 * @example parseTilePath('0/x001/x234/067.p/8') // { level: 0, index: 1234067, width: 8 }
 */
export function parseTilePath(path: string): TileRef | null {
  const m = /^(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(
    path,
  );
  if (!m) return null;
  const level = m[1] === 'entries' ? null : Number(m[1]);
  if (level !== null && level > MAX_LEVEL) return null;
  const index = Number(m[2]!.replace(/x|\//g, ''));
  if (!Number.isSafeInteger(index)) return null;
  const width = m[3] === undefined ? TILE_WIDTH : Number(m[3]);
  if (m[3] !== undefined && width >= TILE_WIDTH) return null; // a partial tile is not full
  const tile = { level, index, width };
  return formatTilePath(tile) === path ? tile : null;
}

/**
 * An entry bundle: each entry as a big-endian uint16 length and its bytes.
 * @throws RangeError when an entry is longer than 65,535 bytes
 * @example encodeEntryBundle([leaf0, leaf1])
 */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  const total = entries.reduce((n, e) => n + 2 + e.length, 0);
  const out = Buffer.alloc(total);
  let at = 0;
  for (const e of entries) {
    if (e.length > 0xffff)
      throw new RangeError(`an entry of ${e.length} bytes does not fit a bundle`);
    out.writeUInt16BE(e.length, at);
    out.set(e, at + 2);
    at += 2 + e.length;
  }
  return new Uint8Array(out);
}
