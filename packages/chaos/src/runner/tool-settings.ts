import { envNumber, invalidSetting } from "@p2pnode/kit";

/*
 * The settings of `pnpm fuzz` and `pnpm crash-loop`, which take them from the environment (a run
 * is long, and CI sets them per job). Read here once, so a typo is a one-line error before any
 * work starts: `FUZZ_RUNS=1e5x` used to become NaN and fuzz nothing, an unknown FUZZ_TARGETS name
 * silently left its target out (a run of none printed an empty table and exited 0), and `--help`
 * started the full run instead of explaining it.
 */

const SEED = { min: 0, max: 2 ** 32 - 1 };
/** The defaults, once: the settings below and the usage texts both name them. */
const FUZZ_DEFAULTS = { runs: 1_000_000, seed: 1 };
const CRASH_LOOP_DEFAULTS = { kills: 200, seed: 1, maxGapMs: 1_500 };

export const FUZZ_USAGE = `usage: [FUZZ_RUNS=N] [FUZZ_SEED=N] [FUZZ_TARGETS=a,b] pnpm --filter @p2pnode/chaos fuzz

Feeds every decoder of outside input (peer frames, handshakes, txs, blocks, DHT datagrams,
consensus messages, REST bodies, Ed25519 verify) with generated and mutated inputs; a decoder
must decode or throw a typed error. FUZZ_RUNS inputs per target (default ${FUZZ_DEFAULTS.runs}),
FUZZ_SEED (default ${FUZZ_DEFAULTS.seed}) replays the same inputs, FUZZ_TARGETS picks targets by
name. Prints a table, writes fuzz-results.json after each target; exits 1 on a crash or a heap
that grew over 64 MiB, 2 on bad settings.

Targets:`;

export interface FuzzSettings {
  runs: number;
  seed: number;
  /** Undefined: every target. */
  targets: string[] | undefined;
}

/** FUZZ_* from `env`; throws a ConfigError naming the variable (an unknown target among them). */
export function fuzzSettings(env: NodeJS.ProcessEnv, known: readonly string[]): FuzzSettings {
  const raw = env.FUZZ_TARGETS;
  // Empty names are dropped (a trailing comma), but a list of none is refused: it fuzzed nothing.
  const targets = raw
    ?.split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = targets?.filter((n) => !known.includes(n)) ?? [];
  if (targets?.length === 0) throw invalidSetting("FUZZ_TARGETS", raw, "names no target");
  if (unknown.length > 0) {
    const names = unknown.map((n) => JSON.stringify(n)).join(", ");
    throw invalidSetting("FUZZ_TARGETS", raw, `no target ${names} (targets: ${known.join(", ")})`);
  }
  return {
    runs: envNumber("FUZZ_RUNS", FUZZ_DEFAULTS.runs, { min: 1, max: 1e9 }, env),
    seed: envNumber("FUZZ_SEED", FUZZ_DEFAULTS.seed, SEED, env),
    targets,
  };
}

export const CRASH_LOOP_USAGE = `usage: [CRASH_KILLS=N] [CRASH_SEED=N] [CRASH_MAX_GAP_MS=N] pnpm --filter @p2pnode/chaos crash-loop

SIGKILLs the chain service CRASH_KILLS times (default ${CRASH_LOOP_DEFAULTS.kills}) at random
moments under tx and block load, at most CRASH_MAX_GAP_MS (default ${CRASH_LOOP_DEFAULTS.maxGapMs})
after it answers again; CRASH_SEED (default ${CRASH_LOOP_DEFAULTS.seed}) replays the same moments.
Then checks SQLite integrity, that every acknowledged block and tx is
there, and the state digest against a service that never crashed. Writes crash-loop-report.json;
exits 1 when a check fails, 2 on bad settings.`;

export interface CrashLoopSettings {
  kills: number;
  seed: number;
  maxGapMs: number;
}

/** CRASH_* from `env`; throws a ConfigError naming the variable. */
export function crashLoopSettings(env: NodeJS.ProcessEnv): CrashLoopSettings {
  return {
    kills: envNumber("CRASH_KILLS", CRASH_LOOP_DEFAULTS.kills, { min: 1, max: 100_000 }, env),
    seed: envNumber("CRASH_SEED", CRASH_LOOP_DEFAULTS.seed, SEED, env),
    maxGapMs: envNumber("CRASH_MAX_GAP_MS", CRASH_LOOP_DEFAULTS.maxGapMs, { min: 0, max: 3_600_000 }, env),
  };
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
