import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { nodeKeyFromSeed } from "@p2pnode/crypto";
import { readGenesisFile } from "@p2pnode/rules";
import { consensusParams } from "@p2pnode/types";
import { describe, expect, it } from "vitest";

// The built CLI, as `pnpm devnet genesis` runs it for Compose and Kubernetes.
const CLI = resolve(import.meta.dirname, "../dist/main.js");
const run = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, "devnet", "genesis", ...args], { encoding: "utf8", timeout: 60_000 });

describe("p2pnode devnet genesis", () => {
  it("writes V keys and the genesis listing them, prints them, and refuses to overwrite", () => {
    const out = join(mkdtempSync(join(tmpdir(), "p2pnode-cli-vnet-")), "validators");
    const r = run("--validators", "4", "--out", out, "--chain-id", "my-validators", "--round-ms", "500");
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual([
      "genesis.json",
      "validator-0.key",
      "validator-1.key",
      "validator-2.key",
      "validator-3.key",
    ]);
    const g = readGenesisFile(join(out, "genesis.json"));
    expect(g.chainId).toBe("my-validators");
    const keys = [0, 1, 2, 3].map((i) => {
      const seed = readFileSync(join(out, `validator-${i}.key`), "utf8").trim();
      return Buffer.from(nodeKeyFromSeed(Buffer.from(seed, "hex")).publicKey).toString("hex");
    });
    expect(consensusParams(g)).toEqual({
      kind: "dolev-strong",
      validators: keys,
      f: 1,
      roundMs: 500,
      slotMs: 1_500,
    });
    // One line per key with its public key, so an operator can check the genesis by eye.
    for (const k of keys) expect(r.stdout).toContain(k);

    const again = run("--validators", "4", "--out", out);
    expect(again.status).toBe(1);
    expect(again.stderr.trim()).toMatch(
      /^p2pnode: .*genesis\.json exists: new keys would make another network/,
    );
    expect(run("--out", out).stderr).toMatch(/--validators/);
  });
});
