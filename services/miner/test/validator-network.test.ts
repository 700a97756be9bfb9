import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOrCreateIdentity } from "@p2pnode/crypto";
import type { RunningService } from "@p2pnode/kit";
import { startTestNode, startTestService, type TestNode, testGenesis } from "@p2pnode/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { minerService } from "../src/api.js";

/* In a dolev-strong network blocks come from validators: the miner never mines, not even on request. */

let node: TestNode;
let svc: RunningService;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "p2pnode-miner-ds-"));
  const publicKey = Buffer.from(loadOrCreateIdentity(dataDir).publicKey).toString("hex");
  const base = testGenesis();
  const genesis = {
    ...base,
    consensus: { ...base.consensus, kind: "dolev-strong" as const, f: 0, roundMs: 100, slotMs: 200 },
    validators: [{ publicKey }],
  };
  // The validator role mines by default in a proof-of-work network.
  node = await startTestNode("validator", { P2PNODE_DATA_DIR: dataDir }, { genesis });
  svc = await startTestService(minerService, node);
});
afterAll(async () => {
  await svc?.stop();
  await node?.stop();
});

describe("the miner in a dolev-strong network", () => {
  it("does not mine, and refuses POST /start with 409 NOT_POW_NETWORK", async () => {
    const { app } = svc.ctx;
    expect((await app.inject({ url: "/status" })).json()).toMatchObject({ mining: false });
    const auth = { authorization: `Bearer ${node.env.P2PNODE_API_TOKEN}` };
    const started = await app.inject({ method: "POST", url: "/start", headers: auth });
    expect(started.statusCode).toBe(409);
    expect(started.json().error.code).toBe("NOT_POW_NETWORK");
    expect((await app.inject({ url: "/status" })).json()).toMatchObject({ mining: false });
  });
});
