import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOrCreateIdentity } from "@p2pnode/crypto";
import { consensusParams, Genesis } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import { makeNode } from "../src/layout.js";
import { validatorGenesis, validatorKeys, validatorRoles } from "../src/validators.js";

describe("devnet --validators", () => {
  it("makes the first V nodes validators, the last L light, the rest full, and refuses miners", () => {
    expect(validatorRoles(6, 4, undefined, 1)).toEqual([
      "validator",
      "validator",
      "validator",
      "validator",
      "full",
      "light",
    ]);
    expect(() => validatorRoles(4, 4, 1, 0)).toThrow(/--miners and --validators/);
    expect(() => validatorRoles(3, 4, undefined, 0)).toThrow(/more than --nodes/);
    expect(() => validatorRoles(3, 0, undefined, 0)).toThrow(/positive/);
  });

  it("writes each validator's identity key into a genesis the schema accepts", () => {
    const dir = mkdtempSync(join(tmpdir(), "p2pnode-validators-"));
    const nodes = ["validator", "validator", "validator", "full"].map((r, i) =>
      makeNode(dir, i, r as "validator" | "full", 30_000),
    );
    const keys = validatorKeys(nodes);
    expect(keys).toHaveLength(3);
    // The key in the genesis is the one the node will load from its data dir.
    expect(keys[1]).toBe(Buffer.from(loadOrCreateIdentity(nodes[1]!.dataDir).publicKey).toString("hex"));
    expect(statSync(join(nodes[0]!.dataDir, "identity.key")).mode & 0o777).toBe(0o600);
    const g = Genesis.parse(validatorGenesis("devnet-x", "ab".repeat(20), keys, 500));
    expect(consensusParams(g)).toEqual({
      kind: "dolev-strong",
      validators: keys,
      f: 1,
      roundMs: 500,
      slotMs: 1_500,
    });
  });
});
