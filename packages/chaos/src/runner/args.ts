/** What `pnpm chaos` was asked to run: a manifest path (default: the CI manifest) and a seed override. */
export interface ChaosArgs {
  help: boolean;
  file: string | undefined;
  seed: number | undefined;
}

export const CHAOS_USAGE = `usage: pnpm chaos [manifest.json] [--seed N]

Runs a chaos scenario: a network of nodes (in network namespaces when run as root), a steady
transfer load and seeded faults (kill, restart, pause, link cut, partition, netem), then checks
the invariants through the public REST APIs. Default manifest: packages/chaos/manifests/ci.json;
manifests/long.json is the 30-minute run. --seed N (0..2^32-1) replaces the manifest's seed, and
the same seed replays the same faults at the same offsets. Writes chaos-report.json (CHAOS_REPORT
sets the path); exits 1 when a check failed, 2 on bad arguments.`;

/** Parses the command line; throws a TypeError with a one-line reason on bad input. */
export function parseChaosArgs(args: readonly string[]): ChaosArgs {
  let file: string | undefined;
  let seed: number | undefined;
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--help" || a === "-h") help = true;
    else if (a === "--seed") {
      const v = args[++i];
      const n = Number(v);
      if (v === undefined || v.trim() === "" || !Number.isInteger(n) || n < 0 || n >= 2 ** 32)
        throw new TypeError("--seed must be an integer 0..2^32-1");
      seed = n;
    } else if (a.startsWith("-")) throw new TypeError(`unknown option ${a} (see --help)`);
    else if (file === undefined) file = a;
    else throw new TypeError(`one manifest at a time (got ${file} and ${a})`);
  }
  return { help, file, seed };
}
