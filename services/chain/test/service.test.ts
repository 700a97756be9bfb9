import { serviceRuntimeSuite } from "@p2pnode/kit/testing";
import { describe, expect, it } from "vitest";
import { chainService } from "../src/api.js";

const suite = serviceRuntimeSuite(chainService);

describe("chain service process", () => {
  it("stops with a one-line message naming a bad variable", async () => {
    const { spawnSync } = await import("node:child_process");
    const main = new URL("../dist/main.js", import.meta.url).pathname;
    for (const [name, value] of [
      ["P2PNODE_ROLE", "banana"],
      ["P2PNODE_CHAIN_PORT", "70000"],
    ] as const) {
      const r = spawnSync(process.execPath, [main], {
        env: { ...suite.node().env, [name]: value },
        encoding: "utf8",
      });
      expect(r.status).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^p2pnode chain: config error: invalid ${name}="${value}"`));
    }
  });

  it("refuses to start with one line when the genesis file is missing or invalid", async () => {
    const { spawnSync } = await import("node:child_process");
    const { writeFileSync } = await import("node:fs");
    const main = new URL("../dist/main.js", import.meta.url).pathname;
    const bad = `${suite.node().dataDir}/bad-genesis.json`;
    writeFileSync(bad, JSON.stringify({ chainId: "x", timestamp: 1 }));
    for (const [file, pattern] of [
      [`${suite.node().dataDir}/missing.json`, /^p2pnode chain: genesis .*missing\.json: ENOENT/],
      [bad, /^p2pnode chain: genesis .*bad-genesis\.json: allocations: /],
    ] as const) {
      const r = spawnSync(process.execPath, [main], {
        env: { ...suite.node().env, P2PNODE_GENESIS: file },
        encoding: "utf8",
      });
      expect(r.status).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
    }
  });
});
