import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installIdentity, loadOrCreateIdentity } from "@p2pnode/crypto";
import { consensusParams, Genesis } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import { makeNode } from "../src/layout.js";
import { writeValidatorNetwork } from "../src/validator-network.js";
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

describe("devnet genesis: a validator network for Compose and Kubernetes", () => {
  it("writes one key per validator and a genesis listing exactly those keys", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "p2pnode-vnet-")), "out");
    const files = writeValidatorNetwork(dir, { validators: 4, chainId: "validators-test", roundMs: 500 });
    expect(files.keyFiles.map((f) => f.slice(dir.length + 1))).toEqual([
      "validator-0.key",
      "validator-1.key",
      "validator-2.key",
      "validator-3.key",
    ]);
    // Each key, installed as a node's identity, is the validator the genesis lists at its index.
    const listed = files.keyFiles.map((f) => {
      const data = mkdtempSync(join(tmpdir(), "p2pnode-vnet-data-"));
      return Buffer.from(installIdentity(data, f).publicKey).toString("hex");
    });
    const g = Genesis.parse(JSON.parse(readFileSync(files.genesisFile, "utf8")));
    expect(consensusParams(g)).toEqual({
      kind: "dolev-strong",
      validators: listed,
      f: 1,
      roundMs: 500,
      slotMs: 1_500,
    });
    expect(g.chainId).toBe("validators-test");
    expect(new Set(listed).size).toBe(4);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of files.keyFiles) expect(statSync(f).mode & 0o777).toBe(0o644);
  });

  it("refuses to overwrite a network, and bad arguments, in one line", () => {
    const dir = mkdtempSync(join(tmpdir(), "p2pnode-vnet-"));
    writeValidatorNetwork(dir, { validators: 1, chainId: "validators-one" });
    expect(() => writeValidatorNetwork(dir, { validators: 1, chainId: "validators-one" })).toThrow(
      /exists: new keys would make another network/,
    );
    const fresh = join(dir, "fresh");
    expect(() => writeValidatorNetwork(fresh, { validators: 0, chainId: "x" })).toThrow(/--validators/);
    expect(() => writeValidatorNetwork(fresh, { validators: 2, chainId: "Bad Id" })).toThrow(/chainId/);
  });
});
