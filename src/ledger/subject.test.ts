import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureSubjectKey, SUBJECT_KEY_FILE, subjectHash } from './subject.ts';

describe('subjectHash', () => {
  it('is HMAC-SHA-256 (RFC 4231 test case 6), as base64url', () => {
    const key = new Uint8Array(131).fill(0xaa);
    const data = 'Test Using Larger Than Block-Size Key - Hash Key First';
    expect(Buffer.from(subjectHash(key, data), 'base64url').toString('hex')).toBe(
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
    expect(subjectHash(key, data)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('depends on the key, and refuses a short one', () => {
    const a = new Uint8Array(32).fill(1);
    const b = new Uint8Array(32).fill(2);
    expect(subjectHash(a, 'tin:123456789')).not.toBe(subjectHash(b, 'tin:123456789'));
    expect(subjectHash(a, 'tin:123456789')).toBe(subjectHash(a, 'tin:123456789'));
    expect(() => subjectHash(new Uint8Array(31), 'tin:1')).toThrow(RangeError);
  });
});

describe('ensureSubjectKey', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'taxgate-subject-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('creates a 32-byte key readable only by its owner, then keeps it', async () => {
    const key = await ensureSubjectKey(dir);
    expect(key.length).toBe(32);
    const path = join(dir, SUBJECT_KEY_FILE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await ensureSubjectKey(dir)).toEqual(key);
    expect(Buffer.from((await readFile(path, 'utf8')).trim(), 'base64')).toEqual(Buffer.from(key));
  });

  it('refuses a file that does not hold a key', async () => {
    await ensureSubjectKey(dir);
    await writeFile(join(dir, SUBJECT_KEY_FILE), 'c2hvcnQ=\n');
    await expect(ensureSubjectKey(dir)).rejects.toMatchObject({ code: 'KEY_INVALID' });
  });
});
