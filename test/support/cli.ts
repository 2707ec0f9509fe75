import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const TAXGATE_BIN = fileURLToPath(new URL('../../bin/taxgate.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as the one JSON object --json promises. */
  json<T = Record<string, unknown>>(): T;
}

/** Runs the real `taxgate` command in a child process. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TAXGATE_BIN, ...args], {
      env,
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout,
        stderr,
        json<T>() {
          const lines = stdout.trim().split('\n');
          if (lines.length !== 1)
            throw new Error(
              `expected one JSON line on stdout, got:\n${stdout}\nstderr:\n${stderr}`,
            );
          return JSON.parse(lines[0]!) as T;
        },
      }),
    );
  });
}
