import { randomBytes } from 'node:crypto';

/**
 * Opaque identifiers with a type prefix, sortable by creation time.
 * @example newId('bat') // 'bat_mi3x0k2a9f1c2d3e4f5a6b'
 */
export function newId(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${randomBytes(8).toString('hex')}`;
}
