import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../errors.ts';

/** Reads a file for a command, with an error that names it. */
export async function readInputFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new InvalidInputError(
      'FILE_UNREADABLE',
      code === 'ENOENT' ? `no file ${path}` : `cannot read ${path} (${code})`,
    );
  }
}

/**
 * Reads and parses a JSON file; the error names the file and the position. With
 * `private`, the parser's message (which quotes the text around the error) is left
 * out: the file holds a person's data (`suspend --subject`).
 */
export async function readJsonFile(
  path: string,
  opts: { private?: boolean } = {},
): Promise<unknown> {
  const text = (await readInputFile(path)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    const detail = opts.private
      ? 'its content is not shown, since it holds personal data'
      : (err as Error).message;
    throw new InvalidInputError('FILE_NOT_JSON', `${path} is not valid JSON: ${detail}`);
  }
}
