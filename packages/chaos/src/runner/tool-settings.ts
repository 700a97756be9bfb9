import { parseEnv } from "@p2pnode/kit";
import { z } from "zod";

/*
 * The settings of `pnpm fuzz` and `pnpm crash-loop`, which take them from the environment (a run
 * is long, and CI sets them per job). Read here once, so a typo is a one-line error before any
 * work starts: `FUZZ_RUNS=1e5x` used to become NaN and fuzz nothing, an unknown FUZZ_TARGETS name
 * silently left its target out (a run of none printed an empty table and exited 0), and `--help`
 * started the full run instead of explaining it.
 */

/** A whole number from an environment string, within [min, max]. */
const whole = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be ${min}..${max}`);

export const FUZZ_USAGE = `usage: [FUZZ_RUNS=N] [FUZZ_SEED=N] [FUZZ_TARGETS=a,b] pnpm --filter @p2pnode/chaos fuzz

Feeds every decoder of outside input (peer frames, handshakes, txs, blocks, DHT datagrams,
consensus messages, REST bodies, Ed25519 verify) with generated and mutated inputs; a decoder
must decode or throw a typed error. FUZZ_RUNS inputs per target (default 1000000), FUZZ_SEED
(default 1) replays the same inputs, FUZZ_TARGETS picks targets by name. Prints a table, writes
fuzz-results.json after each target; exits 1 on a crash or a heap that grew over 64 MiB, 2 on
bad settings.

Targets:`;

export interface FuzzSettings {
  runs: number;
  seed: number;
  /** Undefined: every target. */
  targets: string[] | undefined;
}

/** FUZZ_* from `env`; throws a ConfigError naming the variable (an unknown target among them). */
export function fuzzSettings(env: NodeJS.ProcessEnv, known: readonly string[]): FuzzSettings {
  const names = z
    .string()
    .transform((s) => s.split(",").map((n) => n.trim()))
    .refine((list) => list.every((n) => known.includes(n)), {
      message: `names a target that does not exist (targets: ${known.join(", ")})`,
    });
  const e = parseEnv(
    z.object({
      FUZZ_RUNS: whole(1, 1e9).default(1_000_000),
      FUZZ_SEED: whole(0, 2 ** 32 - 1).default(1),
      FUZZ_TARGETS: names.optional(),
    }),
    env,
  );
  return { runs: e.FUZZ_RUNS, seed: e.FUZZ_SEED, targets: e.FUZZ_TARGETS };
}

export const CRASH_LOOP_USAGE = `usage: [CRASH_KILLS=N] [CRASH_SEED=N] [CRASH_MAX_GAP_MS=N] pnpm --filter @p2pnode/chaos crash-loop

SIGKILLs the chain service CRASH_KILLS times (default 200) at random moments under tx and block
load, CRASH_MAX_GAP_MS (default 1500) at most after it answers again; CRASH_SEED (default 1)
replays the same moments. Then checks SQLite integrity, that every acknowledged block and tx is
there, and the state digest against a service that never crashed. Writes crash-loop-report.json;
exits 1 when a check fails, 2 on bad settings.`;

export interface CrashLoopSettings {
  kills: number;
  seed: number;
  maxGapMs: number;
}

/** CRASH_* from `env`; throws a ConfigError naming the variable. */
export function crashLoopSettings(env: NodeJS.ProcessEnv): CrashLoopSettings {
  const e = parseEnv(
    z.object({
      CRASH_KILLS: whole(1, 100_000).default(200),
      CRASH_SEED: whole(0, 2 ** 32 - 1).default(1),
      CRASH_MAX_GAP_MS: whole(0, 3_600_000).default(1_500),
    }),
    env,
  );
  return { kills: e.CRASH_KILLS, seed: e.CRASH_SEED, maxGapMs: e.CRASH_MAX_GAP_MS };
}

/**
 * The command line of a tool configured by its environment: `--help`/`-h` asks for the usage,
 * anything else is refused (a setting passed as an argument would otherwise be ignored).
 */
export function envToolArgs(args: readonly string[]): { help: boolean } {
  let help = false;
  for (const a of args) {
    if (a === "--help" || a === "-h") help = true;
    else throw new TypeError(`unexpected argument ${a}: settings are environment variables (see --help)`);
  }
  return { help };
}
