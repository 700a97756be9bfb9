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

/** Parses `env` with `schema`; the first problem becomes a ConfigError naming its variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const variable = String(issue.path[0] ?? "environment");
  const raw = env[variable];
  const shown =
    raw === undefined ? "(unset)" : JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw);
  throw new ConfigError(variable, `invalid ${variable}=${shown}: ${issue.message}`);
}

/** For main.ts: parse or stop the process with a one-line message (exit code 2, like a usage error). */
export function parseEnvOrExit<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  try {
    return parseEnv(schema, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`p2pnode: config error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
