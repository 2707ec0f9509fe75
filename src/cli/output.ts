import { TaxgateError } from '../errors.ts';
import { ConfigError } from '../config.ts';

/** Exit codes of every command (docs/cli.md). */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export interface OutputOptions {
  json?: boolean;
}

/**
 * Prints a command's result: one JSON object on stdout with --json, otherwise
 * the human text. Progress and hints go to stderr so stdout stays parseable.
 */
export function printResult(opts: OutputOptions, value: unknown, human: () => string): void {
  if (opts.json) process.stdout.write(JSON.stringify(value) + '\n');
  else process.stdout.write(human() + '\n');
}

export function hint(opts: OutputOptions, text: string): void {
  if (!opts.json) process.stderr.write(text + '\n');
}

/** Prints an error the way the options ask and returns the exit code. */
export function reportError(opts: OutputOptions, err: unknown): number {
  let code = 'INTERNAL_ERROR';
  let message: string;
  let details: Record<string, unknown> | undefined;
  if (err instanceof TaxgateError) {
    ({ code, message, details } = err);
  } else if (err instanceof ConfigError) {
    code = 'CONFIG_INVALID';
    message = err.message;
  } else {
    message = err instanceof Error ? err.message : String(err);
  }
  if (opts.json) {
    process.stdout.write(
      JSON.stringify({ error: { code, message, ...(details ? { details } : {}) } }) + '\n',
    );
  }
  process.stderr.write(`taxgate: ${message} [${code}]\n`);
  if (code === 'INTERNAL_ERROR' && process.env.TAXGATE_DEBUG && err instanceof Error) {
    process.stderr.write(`${err.stack}\n`);
  }
  return EXIT.failure;
}
