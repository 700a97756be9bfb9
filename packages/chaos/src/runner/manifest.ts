import { readFileSync } from "node:fs";
import { z } from "zod";

export const PERTURBATION_KINDS = ["kill", "pause", "restart", "disconnect", "partition", "netem"] as const;
export type PerturbationKind = (typeof PERTURBATION_KINDS)[number];

/**
 * A chaos scenario: which nodes, what load, which faults how often, for how long, from which
 * seed. The seed alone fixes the fault schedule (schedule.ts), so a run is replayed by its seed.
 */
export const ChaosManifest = z
  .object({
    name: z.string().min(1),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1),
    nodes: z.number().int().min(2).max(20),
    /** The first `miners` nodes mine; the last one keeps mining at the end so the chain converges. */
    miners: z.number().int().min(1),
    durationSec: z
      .number()
      .positive()
      .max(24 * 3600),
    /** "auto": network namespaces when root and `ip` are available, loopback otherwise. */
    network: z.enum(["auto", "namespaces", "loopback"]).default("auto"),
    load: z.object({
      /** Sending wallets, each with at most one tx in flight (its next nonce waits for the last). */
      wallets: z.number().int().min(1).max(64).default(4),
      /** Target submissions per second over all wallets. */
      txPerSecond: z.number().positive().max(200).default(2),
    }),
    perturbations: z.object({
      kinds: z.array(z.enum(PERTURBATION_KINDS)).min(1),
      /** Seconds from one fault's start to the next (CometBFT waits 3 s; users asked for a setting). */
      intervalSec: z.number().positive(),
      /** How long a pause, cut, partition or netem lasts. */
      faultSec: z.number().positive().default(5),
      /** Seconds of quiet load before the first fault. */
      warmupSec: z.number().min(0).default(5),
    }),
    /** Bounds the checks wait for: a node answers within `answerSec` of a fault ending, all converge within `convergeSec`. */
    bounds: z
      .object({
        answerSec: z.number().positive().default(20),
        convergeSec: z.number().positive().default(90),
      })
      .default({ answerSec: 20, convergeSec: 90 }),
  })
  .refine((m) => m.miners <= m.nodes, "miners must not exceed nodes");
export type ChaosManifest = z.infer<typeof ChaosManifest>;

/** Reads and checks a manifest file; a bad one is a one-line error naming the field. */
export function readManifest(file: string): ChaosManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new TypeError(`${file}: ${(err as Error).message}`);
  }
  const r = ChaosManifest.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new TypeError(`${file}: ${i.path.join(".") || "(root)"}: ${i.message}`);
  }
  return r.data;
}
