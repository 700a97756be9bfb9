import { describe, expect, it } from "vitest";
import { consensusParams, Genesis } from "../src/genesis.js";

const key = (i: number) => i.toString(16).padStart(2, "0").repeat(32);
const pow = {
  chainId: "test-chain",
  timestamp: 1_700_000_000_000,
  allocations: [],
  consensus: {
    targetBlockTimeMs: 1_000,
    initialTarget: "f".repeat(64),
    retargetWindow: 10,
    blockReward: "50",
  },
  validators: [],
};
const ds = (consensus: object, validators = [1, 2, 3, 4].map((i) => ({ publicKey: key(i) }))) => ({
  ...pow,
  consensus: { ...pow.consensus, kind: "dolev-strong", f: 1, roundMs: 200, slotMs: 1_000, ...consensus },
  validators,
});

/** The one line an operator sees: the first issue's path and message. */
function firstIssue(raw: unknown): string | undefined {
  const r = Genesis.safeParse(raw);
  if (r.success) return undefined;
  const i = r.error.issues[0]!;
  return `${i.path.join(".")}: ${i.message}`;
}

describe("genesis consensus", () => {
  it("reads a file without consensus.kind as pow, unchanged (its genesis hash stays the same)", () => {
    const parsed = Genesis.parse(pow);
    expect(parsed).toEqual(pow);
    expect("kind" in parsed.consensus).toBe(false);
    expect(consensusParams(parsed)).toEqual({ kind: "pow" });
  });

  it("resolves a dolev-strong genesis to its validators, f, Δ and slot", () => {
    expect(consensusParams(Genesis.parse(ds({})))).toEqual({
      kind: "dolev-strong",
      validators: [key(1), key(2), key(3), key(4)],
      f: 1,
      roundMs: 200,
      slotMs: 1_000,
    });
  });

  it("accepts the edges: f = 0 with one validator, f = n - 1, slot exactly (f + 2)·Δ", () => {
    expect(firstIssue(ds({ f: 0, slotMs: 400 }, [{ publicKey: key(1) }]))).toBeUndefined();
    expect(firstIssue(ds({ f: 3, slotMs: 1_000 }))).toBeUndefined();
  });

  it.each([
    ["pow with f", { ...pow, consensus: { ...pow.consensus, f: 1 } }, "consensus.f: only a dolev-strong"],
    [
      "explicit pow with a round length",
      { ...pow, consensus: { ...pow.consensus, kind: "pow", roundMs: 100 } },
      "consensus.roundMs: only a dolev-strong",
    ],
    ["an unknown kind", { ...pow, consensus: { ...pow.consensus, kind: "pos" } }, "consensus.kind:"],
    ["dolev-strong without f", ds({ f: undefined }), "consensus.f: a dolev-strong network needs f"],
    ["dolev-strong without Δ", ds({ roundMs: undefined }), "consensus.roundMs: a dolev-strong network needs"],
    [
      "dolev-strong without a slot",
      ds({ slotMs: undefined }),
      "consensus.slotMs: a dolev-strong network needs",
    ],
    ["no validators", ds({ f: 0 }, []), "validators: a dolev-strong network needs at least one validator"],
    [
      "f = n",
      ds({ f: 4, slotMs: 10_000 }),
      "consensus.f: f must be below the number of validators: f = 4 with 4",
    ],
    ["negative f", ds({ f: -1 }), "consensus.f:"],
    ["fractional f", ds({ f: 1.5 }), "consensus.f:"],
    ["Δ below 10 ms", ds({ roundMs: 5 }), "consensus.roundMs:"],
    ["Δ above a minute", ds({ roundMs: 60_001 }), "consensus.roundMs:"],
    ["slot above an hour", ds({ slotMs: 3_600_001 }), "consensus.slotMs:"],
    [
      "a slot shorter than f + 1 rounds and a commit round",
      ds({ f: 2, roundMs: 200, slotMs: 799 }),
      "consensus.slotMs: must be at least (f + 2) × roundMs = 800 ms",
    ],
    [
      "a validator key twice",
      ds(
        {},
        [1, 2, 1].map((i) => ({ publicKey: key(i) })),
      ),
      "validators.2.publicKey: the same key as validator 0",
    ],
    ["an uppercase key", ds({}, [{ publicKey: "AB".repeat(32) }]), "validators.0.publicKey:"],
    [
      "1,001 validators",
      ds(
        { f: 0 },
        Array.from({ length: 1_001 }, () => ({ publicKey: key(1) })),
      ),
      "validators:",
    ],
  ])("refuses %s with one line naming the field", (_name, raw, expected) => {
    const line = firstIssue(raw);
    expect(line).toContain(expected);
    expect(line).not.toContain("\n");
  });
});
