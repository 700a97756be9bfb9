import type { z } from "zod";

/** A bad environment value: the message is one line that names the variable. */
export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

/** The one form of a bad setting's message: `invalid NAME="value": reason` (long values cut). */
export function invalidSetting(variable: string, raw: string | undefined, reason: string): ConfigError {
  const shown =
    raw === undefined ? "(unset)" : JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw);
  return new ConfigError(variable, `invalid ${variable}=${shown}: ${reason}`);
}

/** Parses `env` with `schema`; the first problem becomes a ConfigError naming its variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? "environment");
  throw invalidSetting(variable, env[variable], issue.message);
}

/**
 * `read()`, or, when it throws a ConfigError, stop the process with one line `<prefix>: <message>`
 * and exit code 2 (like a usage error). Other errors go on.
 */
export function orExitOnConfigError<T>(read: () => T, prefix: string): T {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${prefix}: ${err.message}\n`);
    process.exit(2);
  }
}

/** For main.ts: parse or stop the process with a one-line message (exit code 2, like a usage error). */
export function parseEnvOrExit<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  return orExitOnConfigError(() => parseEnv(schema, env), "p2pnode: config error");
}

/** The range a numeric setting must fall in; `integer` (the default) refuses fractions. */
export interface NumberRange {
  min?: number;
  max?: number;
  integer?: boolean;
}

/**
 * A numeric setting from the environment (a run's count, a bench's size): `fallback` when unset,
 * else a finite number in range (1e6 and 0x10 read as Number reads them), or a ConfigError naming
 * the variable. Number() alone turned "10k" into NaN, and a loop bounded by NaN runs zero times.
 */
export function envNumber(
  name: string,
  fallback: number,
  range: NumberRange = {},
  env: NodeJS.ProcessEnv = process.env,
): number {
  const raw = env[name];
  if (raw === undefined) return fallback;
  return checkNumber(name, raw, raw, range);
}

/** A comma-separated list of numbers (BENCH_SIZES=10,12,14), each checked as envNumber does. */
export function envNumbers(
  name: string,
  fallback: readonly number[],
  range: NumberRange = {},
  env: NodeJS.ProcessEnv = process.env,
): number[] {
  const raw = env[name];
  if (raw === undefined) return [...fallback];
  return raw.split(",").map((part) => checkNumber(name, raw, part, range));
}

function checkNumber(name: string, raw: string, text: string, range: NumberRange): number {
  const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY, integer = true } = range;
  const n = text.trim() === "" ? Number.NaN : Number(text);
  const bounds = `${Number.isFinite(min) ? min : ""}..${Number.isFinite(max) ? max : ""}`;
  const what = integer ? "a whole number" : "a number";
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max)
    throw invalidSetting(name, raw, `must be ${what} ${bounds}`.trimEnd());
  return n;
}
