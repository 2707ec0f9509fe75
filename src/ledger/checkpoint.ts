/**
 * Signed checkpoints: the C2SP tlog-checkpoint text (c2sp.org/tlog-checkpoint) signed as a
 * C2SP signed note (c2sp.org/signed-note) with Ed25519.
 *
 * A checkpoint is the log's public commitment: "the first `size` entries have root
 * `rootHash`". Using the standard formats means an auditor can check our checkpoints with
 * any existing tool (e.g. Go's golang.org/x/mod/sumdb/note) instead of trusting ours.
 *
 * Producing (`formatCheckpoint`, `signNote`) works on our own data and throws on misuse.
 * Checking (`openNote`, `verifyNote`, `parseCheckpoint`, `parseVerifierKey`) works on data
 * from outside and returns a reason string instead of throwing.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * The tree head a checkpoint commits to.
 * @example const cp: Checkpoint = { origin: 'example.com/log', size: range.size, rootHash: range.root() }
 */
export interface Checkpoint {
  /** Log identity, e.g. `taxgate.example.gov/ledger`; SHOULD equal the key name. */
  origin: string;
  /** Number of entries in the tree. */
  size: number;
  /** RFC 6962 root of the first `size` entries (32 bytes). */
  rootHash: Uint8Array;
  /** Opaque extra lines; the spec advises against them, so we write none by default. */
  extensions?: string[];
}

/**
 * A named Ed25519 signing key for notes.
 * @example const signer: NoteSigner = { name: 'example.com/log', privateKey: createPrivateKey({ key: jwk, format: 'jwk' }) }
 */
export interface NoteSigner {
  /** Key name in the signature line (no spaces, no `+`). */
  name: string;
  /** Ed25519 private key, e.g. `createPrivateKey({ key: jwk, format: 'jwk' })`. */
  privateKey: KeyObject;
}

/**
 * A verifier key, parsed from its `<name>+<hex key ID>+<base64(0x01 ‖ key)>` string.
 * @example const key = parseVerifierKey(vkey) as VerifierKey; key.keyId.toString(16)
 */
export interface VerifierKey {
  name: string;
  /** The 4-byte key ID as a number (big-endian). */
  keyId: number;
  publicKey: KeyObject;
}

/**
 * Result of checking a signed note: its text and which known keys signed it, or why not.
 * @example const opened: OpenedNote = openNote(note, [vkey]); if (!opened.ok) console.error(opened.reason)
 */
export type OpenedNote =
  { ok: true; text: string; signedBy: string[] } | { ok: false; reason: string };

/**
 * Result of checking a signed checkpoint.
 * @example const v: VerifiedCheckpoint = verifyNote(note, [vkey]); if (v.ok) v.checkpoint.size
 */
export type VerifiedCheckpoint =
  | { ok: true; checkpoint: Checkpoint; text: string; signedBy: string[] }
  | { ok: false; reason: string };

const ED25519 = 0x01; // signed-note signature type for Ed25519
const SIG_PREFIX = '\u2014 '; // em dash, space
const MAX_SIGNATURES = 100; // the spec requires accepting at least 16
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

// Anything below U+0020 except newline is forbidden in a note.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const SIZE_LINE = /^(0|[1-9][0-9]*)$/;

/**
 * True for a valid note key name: non-empty, no Unicode spaces, no `+` (signed-note §Format).
 * @example isKeyName('taxgate.example.gov/ledger') // true
 */
export function isKeyName(name: string): boolean {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    !/[\s+\u0085]/u.test(name) &&
    !CONTROL.test(name) &&
    !LONE_SURROGATE.test(name)
  );
}

/**
 * Strict standard base64 (RFC 4648 §4): padded, no whitespace, canonical. Node's decoder
 * skips junk, which would let two different signature lines mean the same bytes.
 */
function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : undefined;
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

function rawPublicKey(key: KeyObject | Uint8Array): Uint8Array {
  if (key instanceof Uint8Array) {
    if (key.length !== 32) throw new RangeError('an Ed25519 public key has 32 bytes');
    return new Uint8Array(key);
  }
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.asymmetricKeyType !== 'ed25519') throw new TypeError('not an Ed25519 key');
  const der = pub.export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(ED25519_SPKI_PREFIX.length));
}

function ed25519PublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, raw]),
    format: 'der',
    type: 'spki',
  });
}

/**
 * Key ID of an Ed25519 note key: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public
 * key), read big-endian. It names the key in signature lines; it is not a security check.
 * @example keyId('PeterNeumann', publicKeyBytes) // 0xc74f20a3
 */
export function keyId(name: string, publicKey: KeyObject | Uint8Array): number {
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(Uint8Array.of(0x0a, ED25519))
    .update(rawPublicKey(publicKey))
    .digest();
  return digest.readUInt32BE(0);
}

/**
 * The verifier key string `<name>+<8 hex digits key ID>+<base64(0x01 ‖ public key)>`, the
 * one line an auditor needs to check our checkpoints (`taxgate ledger key` prints it).
 * Accepts the public key, its 32 raw bytes, or the private key.
 * @example verifierKey('PeterNeumann', pub) // 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'
 */
export function verifierKey(name: string, publicKey: KeyObject | Uint8Array): string {
  if (!isKeyName(name)) throw new RangeError(`invalid note key name ${JSON.stringify(name)}`);
  const raw = rawPublicKey(publicKey);
  const id = keyId(name, raw).toString(16).padStart(8, '0');
  return `${name}+${id}+${base64(Uint8Array.of(ED25519, ...raw))}`;
}

/**
 * Parses a verifier key string and checks its key ID against the key itself.
 * @example const key = parseVerifierKey(vkey); if (typeof key === 'string') fail(key)
 */
export function parseVerifierKey(vkey: string): VerifierKey | string {
  if (typeof vkey !== 'string') return 'verifier key is not a string';
  // The name cannot contain '+', the key ID is hex: so the first two '+' split the fields
  // and any later '+' belongs to the base64.
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) return 'verifier key is not <name>+<key ID>+<key>';
  const name = vkey.slice(0, first);
  const idHex = vkey.slice(first + 1, second);
  if (!isKeyName(name)) return 'verifier key has an invalid name';
  if (!/^[0-9a-f]{8}$/.test(idHex)) return 'verifier key ID is not 8 lowercase hex digits';
  const material = decodeBase64(vkey.slice(second + 1));
  if (!material || material.length !== 33) return 'verifier key material is not 33 bytes';
  if (material[0] !== ED25519) return 'verifier key is not an Ed25519 key (type 0x01)';
  const raw = material.subarray(1);
  const id = Number.parseInt(idHex, 16);
  if (keyId(name, raw) !== id) return 'verifier key ID does not match the key';
  let publicKey: KeyObject;
  try {
    publicKey = ed25519PublicKey(raw);
  } catch {
    return 'verifier key is not a valid Ed25519 public key';
  }
  return { name, keyId: id, publicKey };
}

function checkNoteText(text: string): string | undefined {
  if (typeof text !== 'string') return 'note is not a string';
  if (LONE_SURROGATE.test(text)) return 'note is not valid UTF-8';
  if (CONTROL.test(text)) return 'note contains a control character';
  return undefined;
}

/**
 * Signs a note text (which must end in a newline) and returns the signed note: the text, a
 * blank line and one signature line `— <name> base64(key ID ‖ Ed25519 signature)`.
 * Ed25519 is deterministic, so the same key and text always give the same note.
 * @throws RangeError on an invalid text, key name or key
 * @example const note = signNote(formatCheckpoint(cp), { name: cp.origin, privateKey })
 */
export function signNote(text: string, signer: NoteSigner): string {
  const problem = checkNoteText(text);
  if (problem) throw new RangeError(problem);
  if (!text.endsWith('\n')) throw new RangeError('note text must end with a newline');
  if (!isKeyName(signer.name)) {
    throw new RangeError(`invalid note key name ${JSON.stringify(signer.name)}`);
  }
  if (signer.privateKey.type !== 'private' || signer.privateKey.asymmetricKeyType !== 'ed25519') {
    throw new RangeError('note signing key must be an Ed25519 private key');
  }
  const signature = sign(null, Buffer.from(text, 'utf8'), signer.privateKey);
  const id = Buffer.alloc(4);
  id.writeUInt32BE(keyId(signer.name, signer.privateKey));
  return `${text}\n${SIG_PREFIX}${signer.name} ${base64(Buffer.concat([id, signature]))}\n`;
}

/**
 * Checks a signed note against the verifier keys we trust (C2SP signed-note §Signatures):
 * signatures by unknown keys are ignored, a bad signature by a known key rejects the note,
 * and at least one known key must have signed. Accepts the note as text or UTF-8 bytes.
 * @example const opened = openNote(noteText, [vkey]); if (!opened.ok) console.error(opened.reason)
 */
export function openNote(note: string | Uint8Array, vkeys: readonly string[]): OpenedNote {
  let text: string;
  if (note instanceof Uint8Array) {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(note);
    } catch {
      return { ok: false, reason: 'note is not valid UTF-8' };
    }
  } else {
    text = note;
  }
  const problem = checkNoteText(text);
  if (problem) return { ok: false, reason: problem };
  if (!text.endsWith('\n')) return { ok: false, reason: 'note does not end with a newline' };

  const keys: VerifierKey[] = [];
  for (const vkey of Array.isArray(vkeys) ? vkeys : []) {
    const key = parseVerifierKey(vkey);
    if (typeof key === 'string') return { ok: false, reason: key };
    if (keys.some((k) => k.name === key.name && k.keyId === key.keyId)) {
      return { ok: false, reason: `two verifier keys share the name and ID of ${key.name}` };
    }
    keys.push(key);
  }
  if (keys.length === 0) return { ok: false, reason: 'no verifier key given' };

  // The text ends at the last blank line; everything after it is signature lines.
  const split = text.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, reason: 'note has no signature block' };
  const body = text.slice(0, split + 1);
  const lines = text.slice(split + 2, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) return { ok: false, reason: 'note has too many signatures' };

  const message = Buffer.from(body, 'utf8');
  const signedBy: string[] = [];
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) return { ok: false, reason: 'malformed signature line' };
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = rest.slice(0, space);
    const blob = space < 0 ? undefined : decodeBase64(rest.slice(space + 1));
    if (!isKeyName(name) || !blob || blob.length < 5) {
      return { ok: false, reason: 'malformed signature line' };
    }
    const id = Buffer.from(blob.subarray(0, 4)).readUInt32BE(0);
    const key = keys.find((k) => k.name === name && k.keyId === id);
    if (!key) continue; // someone else's signature (a witness, a rotated key): not ours to judge
    if (!verify(null, message, key.publicKey, blob.subarray(4))) {
      return { ok: false, reason: `signature by ${name} does not verify` };
    }
    if (!signedBy.includes(name)) signedBy.push(name);
  }
  if (signedBy.length === 0) return { ok: false, reason: 'note is not signed by a known key' };
  return { ok: true, text: body, signedBy };
}

/**
 * Formats a checkpoint's note text: origin, decimal size, base64 root hash, then any
 * extension lines, each ending in a newline (C2SP tlog-checkpoint §Note text).
 * @throws RangeError on an empty origin or line, a bad size or a root that is not 32 bytes
 * @example formatCheckpoint({ origin: 'example.com/log', size: 3, rootHash }) // 'example.com/log\n3\nrq28…=\n'
 */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  const { origin, size, rootHash, extensions = [] } = checkpoint;
  for (const line of [origin, ...extensions]) {
    if (
      typeof line !== 'string' ||
      line.length === 0 ||
      line.includes('\n') ||
      checkNoteText(line)
    ) {
      throw new RangeError(`invalid checkpoint line ${JSON.stringify(line)}`);
    }
  }
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`invalid tree size ${size}`);
  if (!(rootHash instanceof Uint8Array) || rootHash.length !== 32) {
    throw new RangeError('root hash must be 32 bytes');
  }
  return [origin, String(size), base64(rootHash), ...extensions].map((l) => `${l}\n`).join('');
}

/**
 * Parses checkpoint note text (no signatures). Sizes beyond 2^53 - 1 are refused rather
 * than rounded.
 * @example const cp = parseCheckpoint('example.com/log\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n')
 */
export function parseCheckpoint(text: string): Checkpoint | string {
  const problem = checkNoteText(text);
  if (problem) return problem;
  if (!text.endsWith('\n')) return 'checkpoint does not end with a newline';
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  if (origin === undefined || sizeLine === undefined || rootLine === undefined) {
    return 'checkpoint has fewer than three lines';
  }
  if (lines.some((l) => l.length === 0)) return 'checkpoint has an empty line';
  if (!SIZE_LINE.test(sizeLine)) return 'checkpoint size is not a decimal number';
  const size = Number(sizeLine);
  if (!Number.isSafeInteger(size)) return 'checkpoint size is too large';
  const rootHash = decodeBase64(rootLine);
  if (!rootHash || rootHash.length !== 32) return 'checkpoint root hash is not 32 bytes of base64';
  return { origin, size, rootHash, extensions };
}

/**
 * Checks a signed checkpoint: the note signature (see `openNote`), the checkpoint format,
 * and, when `origin` is given, that the checkpoint is from that log.
 * @example
 * const v = verifyNote(noteText, [vkey], { origin: 'taxgate.example.gov/ledger' });
 * if (v.ok) verifyInclusion(leafHash(entry), index, v.checkpoint.size, proof, v.checkpoint.rootHash);
 */
export function verifyNote(
  note: string | Uint8Array,
  vkeys: readonly string[],
  options: { origin?: string } = {},
): VerifiedCheckpoint {
  const opened = openNote(note, vkeys);
  if (!opened.ok) return opened;
  const checkpoint = parseCheckpoint(opened.text);
  if (typeof checkpoint === 'string') return { ok: false, reason: checkpoint };
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    return {
      ok: false,
      reason: `checkpoint origin is ${checkpoint.origin}, not ${options.origin}`,
    };
  }
  return { ok: true, checkpoint, text: opened.text, signedBy: opened.signedBy };
}
