import { z } from "zod";

const Address = z.string().regex(/^[0-9a-f]{40}$/, "address: 20 bytes as lowercase hex");
const Amount = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,30})$/, "amount: a non-negative integer as a decimal string");

/** Most validators a genesis may list; the signer bitmask of a certificate is sized from it. */
export const MAX_VALIDATORS = 1_000;
/** Shortest Dolev-Strong round (Δ): below it, one hop plus a verify does not fit on a loaded host. */
export const MIN_ROUND_MS = 10;
/** Longest Dolev-Strong round (Δ). */
export const MAX_ROUND_MS = 60_000;
/** Longest Dolev-Strong slot. */
export const MAX_SLOT_MS = 3_600_000;

/** How a network agrees on blocks: proof of work (the default) or Dolev-Strong among validators. */
export const ConsensusKind = z.enum(["pow", "dolev-strong"]);
export type ConsensusKind = z.infer<typeof ConsensusKind>;

const ConsensusConfig = z.object({
  /** Absent means `pow`, so genesis files written before Dolev-Strong keep their meaning and hash. */
  kind: ConsensusKind.optional(),
  targetBlockTimeMs: z.number().int().min(100).max(3_600_000),
  /** Initial proof-of-work target as 32-byte big-endian hex; a hash must be ≤ target. */
  initialTarget: z.string().regex(/^[0-9a-f]{64}$/),
  retargetWindow: z.number().int().min(1).max(100_000),
  blockReward: Amount,
  /** dolev-strong: how many validators may be faulty (0 ≤ f < number of validators). */
  f: z.number().int().min(0).max(MAX_VALIDATORS).optional(),
  /** dolev-strong: round length Δ in ms; must cover one-way delay + verification + clock skew. */
  roundMs: z.number().int().min(MIN_ROUND_MS).max(MAX_ROUND_MS).optional(),
  /** dolev-strong: slot length in ms, at least (f + 2)·Δ: f + 1 relay rounds and one commit round. */
  slotMs: z.number().int().positive().max(MAX_SLOT_MS).optional(),
});

/** The genesis file every node of a network shares (DESIGN.md §4). */
export const Genesis = z
  .object({
    chainId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "chainId: lowercase letters, digits and dashes"),
    /** Milliseconds since the Unix epoch, like block header timestamps. */
    timestamp: z.number().int().nonnegative(),
    allocations: z.array(z.object({ address: Address, balance: Amount })).max(100_000),
    consensus: ConsensusConfig,
    /** Ed25519 public keys (node identity keys); a validator's index is its place in this list. */
    validators: z
      .array(z.object({ publicKey: z.string().regex(/^[0-9a-f]{64}$/, "publicKey: 32 bytes as hex") }))
      .max(MAX_VALIDATORS),
  })
  .superRefine((g, ctx) => {
    const problem = consensusProblem(g);
    if (problem) ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
  });
export type Genesis = z.infer<typeof Genesis>;

/** A network's consensus as the genesis fixes it, with the Dolev-Strong parameters resolved. */
export type ConsensusParams =
  | { kind: "pow" }
  | {
      kind: "dolev-strong";
      /** Validator public keys as hex, in index order. */
      validators: string[];
      f: number;
      roundMs: number;
      slotMs: number;
    };

/** The consensus of a parsed genesis (`kind` absent = pow). */
export function consensusParams(g: Genesis): ConsensusParams {
  const c = g.consensus;
  if (c.kind !== "dolev-strong") return { kind: "pow" };
  return {
    kind: "dolev-strong",
    validators: g.validators.map((v) => v.publicKey),
    f: c.f!,
    roundMs: c.roundMs!,
    slotMs: c.slotMs!,
  };
}

const DS_ONLY = ["f", "roundMs", "slotMs"] as const;

/**
 * The first inconsistency between `consensus.kind` and the fields that go with it, as a path and
 * a one-line message an operator can act on; undefined when there is none.
 */
function consensusProblem(g: {
  consensus: z.infer<typeof ConsensusConfig>;
  validators: { publicKey: string }[];
}): { path: (string | number)[]; message: string } | undefined {
  const c = g.consensus;
  if (c.kind !== "dolev-strong") {
    const extra = DS_ONLY.find((k) => c[k] !== undefined);
    if (extra) {
      return {
        path: ["consensus", extra],
        message: `only a dolev-strong network takes ${extra} (kind is pow)`,
      };
    }
    return undefined;
  }
  const missing = DS_ONLY.find((k) => c[k] === undefined);
  if (missing) return { path: ["consensus", missing], message: `a dolev-strong network needs ${missing}` };
  const n = g.validators.length;
  if (n === 0)
    return { path: ["validators"], message: "a dolev-strong network needs at least one validator" };
  const f = c.f!;
  if (f >= n) {
    return {
      path: ["consensus", "f"],
      message: `f must be below the number of validators: f = ${f} with ${n} validator${n === 1 ? "" : "s"}`,
    };
  }
  const first = new Map<string, number>();
  for (const [i, v] of g.validators.entries()) {
    const j = first.get(v.publicKey);
    if (j !== undefined) {
      return { path: ["validators", i, "publicKey"], message: `the same key as validator ${j}` };
    }
    first.set(v.publicKey, i);
  }
  const least = (f + 2) * c.roundMs!;
  if (c.slotMs! < least) {
    return {
      path: ["consensus", "slotMs"],
      message: `must be at least (f + 2) × roundMs = ${least} ms (f + 1 = ${f + 1} rounds and a commit round)`,
    };
  }
  return undefined;
}
