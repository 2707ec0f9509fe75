/**
 * Strings an attacker or a broken client sends, for the fuzz suites (HTTP and CLI):
 * injection, markup, invisible and bidirectional characters, placeholders the rules
 * refuse, prototype keys, astral characters, control characters.
 */
export const HOSTILE_STRINGS: readonly string[] = [
  "'; drop table taxpayer_returns; --",
  '<script>alert(1)</script>',
  '\u200b\u200e\u202e Garcia',
  'Failed to Provide',
  'Unknown Address',
  '00000',
  'N/A',
  '__proto__',
  '𝕸𝖆𝖗𝖎𝖆 🙂',
  '\u0000\u0007\u001b[31m',
];
