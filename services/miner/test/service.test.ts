import { serviceRuntimeSuite } from "@p2pnode/kit/testing";
import { describe, expect, it } from "vitest";
import { minerService } from "../src/api.js";

const suite = serviceRuntimeSuite(minerService);

describe("miner REST", () => {
  it("reports status and starts/stops only with the admin token", async () => {
    const { app } = suite.svc().ctx;
    const status = await app.inject({ url: "/status" });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ mining: true });
    expect((await app.inject({ method: "POST", url: "/stop" })).statusCode).toBe(401);
    const auth = { authorization: `Bearer ${suite.node().env.P2PNODE_API_TOKEN}` };
    const stopped = await app.inject({ method: "POST", url: "/stop", headers: auth });
    expect(stopped.json()).toMatchObject({ mining: false, hashrate: 0 });
    const started = await app.inject({ method: "POST", url: "/start", headers: auth });
    expect(started.json()).toMatchObject({ mining: true });
  });
});
