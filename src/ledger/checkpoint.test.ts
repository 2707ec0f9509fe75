import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  formatCheckpoint,
  keyId,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  signNote,
  verifierKey,
  verifyNote,
  type Checkpoint,
} from './checkpoint.ts';
import { emptyRoot, leafHash, rootOf } from './merkle.ts';

// Known answer from the documentation of golang.org/x/mod/sumdb/note (the reference
// implementation of signed notes): its example key pair, text and signed note.
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT =
  'If you think cryptography is the answer to your problem,\n' +
  "then you don't know what your problem is.\n";
const GO_NOTE =
  GO_TEXT +
  '\n' +
  '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';

/** The Go private key string holds 0x01 ‖ the 32-byte Ed25519 seed; wrap it as PKCS #8. */
function goPrivateKey(): KeyObject {
  const material = Buffer.from(
    GO_SKEY.slice('PRIVATE+KEY+PeterNeumann+c74f20a3+'.length),
    'base64',
  );
  expect(material[0]).toBe(0x01);
  const pkcs8 = Buffer.concat([
    Buffer.from('302e020100300506032b657004220420', 'hex'),
    material.subarray(1),
  ]);
  return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
}

function newSigner(name: string): { name: string; privateKey: KeyObject; vkey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { name, privateKey, vkey: verifierKey(name, publicKey) };
}

const ORIGIN = 'taxgate.example.gov/ledger';
const ROOT = rootOf([leafHash(Uint8Array.of(1)), leafHash(Uint8Array.of(2))]);
const CHECKPOINT: Checkpoint = { origin: ORIGIN, size: 2, rootHash: ROOT };

describe('signed-note known answer (golang.org/x/mod/sumdb/note)', () => {
  it('derives the published verifier key and key ID from the private key', () => {
    const privateKey = goPrivateKey();
    expect(verifierKey('PeterNeumann', createPublicKey(privateKey))).toBe(GO_VKEY);
    expect(verifierKey('PeterNeumann', privateKey)).toBe(GO_VKEY);
    expect(keyId('PeterNeumann', privateKey)).toBe(0xc74f20a3);
  });

  it('signs the example text into the published note, byte for byte', () => {
    expect(signNote(GO_TEXT, { name: 'PeterNeumann', privateKey: goPrivateKey() })).toBe(GO_NOTE);
  });

  it('opens the published note, and not a tampered copy', () => {
    expect(openNote(GO_NOTE, [GO_VKEY])).toEqual({
      ok: true,
      text: GO_TEXT,
      signedBy: ['PeterNeumann'],
    });
    expect(openNote(new TextEncoder().encode(GO_NOTE), [GO_VKEY]).ok).toBe(true);
    const tampered = GO_NOTE.replace('cryptography', 'cryptographY');
    expect(openNote(tampered, [GO_VKEY])).toEqual({
      ok: false,
      reason: 'signature by PeterNeumann does not verify',
    });
    // Not a checkpoint, so verifyNote refuses it after the signature checks out.
    expect(verifyNote(GO_NOTE, [GO_VKEY]).ok).toBe(false);
  });
});

describe('checkpoints', () => {
  it('formats the C2SP tlog-checkpoint text', () => {
    expect(formatCheckpoint({ origin: ORIGIN, size: 0, rootHash: emptyRoot() })).toBe(
      `${ORIGIN}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n`,
    );
    expect(formatCheckpoint({ ...CHECKPOINT, extensions: ['ext one', 'ext two'] })).toBe(
      `${ORIGIN}\n2\n${Buffer.from(ROOT).toString('base64')}\next one\next two\n`,
    );
  });

  it('round-trips through signNote and verifyNote', () => {
    const signer = newSigner(ORIGIN);
    const note = signNote(formatCheckpoint(CHECKPOINT), signer);
    expect(note).toMatch(new RegExp(`\n\n\u2014 ${ORIGIN} [A-Za-z0-9+/]{91}=\n$`));
    const verified = verifyNote(note, [signer.vkey], { origin: ORIGIN });
    expect(verified).toEqual({
      ok: true,
      checkpoint: { ...CHECKPOINT, extensions: [] },
      text: formatCheckpoint(CHECKPOINT),
      signedBy: [ORIGIN],
    });
  });

  it('fails when the size, root or signature is changed', () => {
    const signer = newSigner(ORIGIN);
    const note = signNote(formatCheckpoint(CHECKPOINT), signer);
    const rootB64 = Buffer.from(ROOT).toString('base64');
    const otherRoot = Buffer.from(rootOf([leafHash(Uint8Array.of(9))])).toString('base64');
    const sigLine = note.slice(note.lastIndexOf('\u2014'));
    const sig = Buffer.from(sigLine.trim().split(' ')[2] as string, 'base64');
    sig[10] = (sig[10] ?? 0) ^ 1;
    const tampered = [
      note.replace(`\n2\n`, `\n3\n`),
      note.replace(rootB64, otherRoot),
      note.replace(sigLine, `\u2014 ${ORIGIN} ${sig.toString('base64')}\n`),
    ];
    for (const t of tampered) {
      expect(t).not.toBe(note);
      expect(verifyNote(t, [signer.vkey])).toEqual({
        ok: false,
        reason: `signature by ${ORIGIN} does not verify`,
      });
    }
  });

  it('fails without a signature by a known key', () => {
    const signer = newSigner(ORIGIN);
    const note = signNote(formatCheckpoint(CHECKPOINT), signer);
    const stranger = newSigner('someone.else/log');
    const sameName = newSigner(ORIGIN); // same name, other key, so another key ID
    const notKnown = { ok: false, reason: 'note is not signed by a known key' };
    expect(verifyNote(note, [stranger.vkey])).toEqual(notKnown);
    expect(verifyNote(note, [sameName.vkey])).toEqual(notKnown);
    expect(verifyNote(note, [])).toEqual({ ok: false, reason: 'no verifier key given' });
  });

  it('ignores signatures by unknown keys, such as a witness cosigning', () => {
    const log = newSigner(ORIGIN);
    const witness = newSigner('witness.example/w1');
    const text = formatCheckpoint(CHECKPOINT);
    const witnessLine = signNote(text, witness).slice(text.length + 1);
    const cosigned = signNote(text, log) + witnessLine;
    expect(verifyNote(cosigned, [log.vkey]).ok).toBe(true);
    expect(verifyNote(cosigned, [log.vkey, witness.vkey])).toMatchObject({
      ok: true,
      signedBy: [ORIGIN, 'witness.example/w1'],
    });
  });

  it('checks the origin when asked', () => {
    const signer = newSigner('other.example/log');
    const note = signNote(formatCheckpoint({ ...CHECKPOINT, origin: 'other.example/log' }), signer);
    expect(verifyNote(note, [signer.vkey], { origin: ORIGIN })).toEqual({
      ok: false,
      reason: `checkpoint origin is other.example/log, not ${ORIGIN}`,
    });
  });

  it('rejects malformed notes with a reason, never throwing', () => {
    const signer = newSigner(ORIGIN);
    const note = signNote(formatCheckpoint(CHECKPOINT), signer);
    const cases: [string | Uint8Array, string][] = [
      [note.slice(0, -1), 'note does not end with a newline'],
      [note.replace('\n\n', '\n'), 'note has no signature block'],
      [note.replace('\u2014 ', '- '), 'malformed signature line'],
      [note.replace(/ (\S+)\n$/, ' $1=\n'), 'malformed signature line'],
      [note.replace(ORIGIN, `${ORIGIN}\t`), 'note contains a control character'],
      [note.replace(ORIGIN, `${ORIGIN}\ud800`), 'note is not valid UTF-8'],
      [Uint8Array.of(0xff, 0x0a), 'note is not valid UTF-8'],
    ];
    for (const [bad, reason] of cases) {
      expect(verifyNote(bad, [signer.vkey])).toEqual({ ok: false, reason });
    }
    expect(verifyNote(note, ['not a key'])).toEqual({
      ok: false,
      reason: 'verifier key is not <name>+<key ID>+<key>',
    });
  });

  it('parses checkpoint text strictly', () => {
    const root = Buffer.from(ROOT).toString('base64');
    expect(parseCheckpoint(`o\n7\n${root}\nx\n`)).toEqual({
      origin: 'o',
      size: 7,
      rootHash: ROOT,
      extensions: ['x'],
    });
    const bad: [string, string][] = [
      [`o\n7\n${root}`, 'checkpoint does not end with a newline'],
      [`o\n7\n`, 'checkpoint has fewer than three lines'],
      [`\n7\n${root}\n`, 'checkpoint has an empty line'],
      [`o\n7\n${root}\n\n`, 'checkpoint has an empty line'],
      [`o\n07\n${root}\n`, 'checkpoint size is not a decimal number'],
      [`o\n-1\n${root}\n`, 'checkpoint size is not a decimal number'],
      [`o\n+7\n${root}\n`, 'checkpoint size is not a decimal number'],
      [`o\n18446744073709551615\n${root}\n`, 'checkpoint size is too large'],
      [`o\n7\n${root.slice(4)}\n`, 'checkpoint root hash is not 32 bytes of base64'],
      [`o\n7\n${root.replace('=', 'Q')}\n`, 'checkpoint root hash is not 32 bytes of base64'],
    ];
    for (const [text, reason] of bad) expect(parseCheckpoint(text)).toBe(reason);
  });

  it('refuses to format or sign what it could not parse back', () => {
    const signer = newSigner(ORIGIN);
    expect(() => formatCheckpoint({ ...CHECKPOINT, origin: '' })).toThrow(RangeError);
    expect(() => formatCheckpoint({ ...CHECKPOINT, origin: 'a\nb' })).toThrow(RangeError);
    expect(() => formatCheckpoint({ ...CHECKPOINT, size: -1 })).toThrow(RangeError);
    expect(() => formatCheckpoint({ ...CHECKPOINT, size: 1.5 })).toThrow(RangeError);
    expect(() => formatCheckpoint({ ...CHECKPOINT, rootHash: ROOT.subarray(1) })).toThrow(
      RangeError,
    );
    expect(() => formatCheckpoint({ ...CHECKPOINT, extensions: [''] })).toThrow(RangeError);
    expect(() => signNote('no newline', signer)).toThrow(RangeError);
    expect(() => signNote('a\n', { ...signer, name: 'has space' })).toThrow(RangeError);
    expect(() => signNote('a\n', { ...signer, name: 'has+plus' })).toThrow(RangeError);
    const { publicKey } = generateKeyPairSync('ed25519');
    expect(() => signNote('a\n', { name: 'n', privateKey: publicKey })).toThrow(RangeError);
  });
});

describe('verifier keys', () => {
  it('parses a key and checks its ID', () => {
    const key = parseVerifierKey(GO_VKEY);
    expect(typeof key === 'string' ? key : [key.name, key.keyId]).toEqual([
      'PeterNeumann',
      0xc74f20a3,
    ]);
    const bad: [string, string][] = [
      ['PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'ID does not match'],
      ['PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'lowercase hex'],
      ['Peter+Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'lowercase hex'],
      ['PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'type 0x01'],
      ['PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10', '33 bytes'],
      ['+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'invalid name'],
    ];
    for (const [vkey, reason] of bad) expect(parseVerifierKey(vkey)).toContain(reason);
  });

  it('round-trips generated keys, including those whose base64 contains a plus sign', () => {
    // About half of random keys have a '+' in their base64, which must not split the fields.
    for (let i = 0; i < 64; i++) {
      const { publicKey } = generateKeyPairSync('ed25519');
      const parsed = parseVerifierKey(verifierKey(`k${i}`, publicKey));
      expect(typeof parsed === 'string' ? parsed : parsed.keyId).toBe(keyId(`k${i}`, publicKey));
    }
  });
});
