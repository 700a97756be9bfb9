import { connectTestBus, serviceRuntimeSuite, startTestNats } from "@p2pnode/kit/testing";
import { CodedError, NodeSubjects } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import { chainService } from "../src/api.js";

const suite = serviceRuntimeSuite(chainService);

describe("chain service process", () => {
  it("stops with a one-line message naming a bad variable", async () => {
    const { spawnSync } = await import("node:child_process");
    const main = new URL("../dist/bundle.js", import.meta.url).pathname;
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

  it("refuses to start with one line when its node's network cannot be had", async () => {
    const { spawn } = await import("node:child_process");
    // A NATS whose "supervisor" refuses the network, as one whose genesis went bad would.
    const nats = await startTestNats();
    const sup = await connectTestBus(nats, "supervisor");
    await sup.serve(NodeSubjects.networkGet, () => {
      throw new CodedError<"GENESIS_INVALID">("GENESIS_INVALID", "genesis.json: allocations: expected array");
    });
    try {
      const main = new URL("../dist/bundle.js", import.meta.url).pathname;
      const child = spawn(process.execPath, [main], {
        env: { ...suite.node().env, P2PNODE_NATS_URL: nats.url, P2PNODE_NATS_TOKEN: nats.token },
      });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      const status = await new Promise((r) => child.once("exit", r));
      expect(status).toBe(2);
      const lines = stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^p2pnode chain: cannot learn the node's network \(node\.v1\.network\.get\): genesis\.json: allocations: /,
      );
    } finally {
      await sup.close();
      await nats.stop();
    }
  });
});
