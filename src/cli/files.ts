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

/** Reads and parses a JSON file; the error names the file and the position. */
export async function readJsonFile(path: string): Promise<unknown> {
  const text = (await readInputFile(path)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidInputError(
      'FILE_NOT_JSON',
      `${path} is not valid JSON: ${(err as Error).message}`,
    );
  }
}
