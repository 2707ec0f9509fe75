import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Configuration, read once at start-up from the environment (and CLI flags that
 * override it) and validated as a whole: every problem is reported at once.
 * Every variable is documented in docs/configuration.md.
 */
const EnvSchema = z.object({
  TAXGATE_DATA: z.string().min(1).default('./.taxgate'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  TAXGATE_HOST: z.string().min(1).default('127.0.0.1'),
  TAXGATE_PORT: z.coerce.number().int().min(0).max(65535).default(8620),
  TAXGATE_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(32 * 1024 * 1024),
  TAXGATE_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
  // The checkpoint origin and the ledger key's name (C2SP note key names: no spaces, no '+').
  TAXGATE_LEDGER_ORIGIN: z
    .string()
    .regex(/^[^\s+]+$/u, "must be a log name without spaces or '+', e.g. taxgate.irs.gov/ledger")
    .default('taxgate.localhost/ledger'),
  TAXGATE_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(2000),
});

export interface Config {
  /** Folder for keys, the operator token and (without DATABASE_URL) the PGlite database. */
  dataDir: string;
  /** PostgreSQL server; when absent the embedded PGlite database in dataDir is used. */
  databaseUrl: string | undefined;
  host: string;
  port: number;
  bodyLimitBytes: number;
  logLevel: string;
  /** First line of every signed checkpoint and name of the ledger key (docs/ledger.md). */
  ledgerOrigin: string;
  /** How often a server signs a checkpoint while events arrive. */
  checkpointIntervalMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** @example loadConfig(process.env, { dataDir: './demo' }) */
export function loadConfig(
  env: Record<string, string | undefined>,
  overrides: Partial<Config> = {},
): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`),
    );
  }
  const e = parsed.data;
  return {
    dataDir: resolve(overrides.dataDir ?? e.TAXGATE_DATA),
    databaseUrl: overrides.databaseUrl ?? e.DATABASE_URL,
    host: overrides.host ?? e.TAXGATE_HOST,
    port: overrides.port ?? e.TAXGATE_PORT,
    bodyLimitBytes: overrides.bodyLimitBytes ?? e.TAXGATE_BODY_LIMIT_BYTES,
    logLevel: overrides.logLevel ?? e.TAXGATE_LOG_LEVEL,
    ledgerOrigin: overrides.ledgerOrigin ?? e.TAXGATE_LEDGER_ORIGIN,
    checkpointIntervalMs: overrides.checkpointIntervalMs ?? e.TAXGATE_CHECKPOINT_INTERVAL_MS,
  };
}
