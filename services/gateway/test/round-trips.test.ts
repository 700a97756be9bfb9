import { signedTransactionToJson, toHex } from "@p2pnode/codec";
import { txId } from "@p2pnode/crypto";
import { Bus, createLogger } from "@p2pnode/kit";
import { eventually } from "@p2pnode/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTx } from "./helpers/chain-stub.js";
import { connect, type GatewayNode, startGatewayNode } from "./helpers/cluster.js";

/**
 * How many NATS requests the gateways send to their chains to relay one tx and one mined block
 * along a line of three nodes (a — b — c). A spy on each node's NATS counts every message to a
 * `chain.>` subject that expects a reply: a request is a round trip, whatever code sent it.
 */
class RequestSpy {
  readonly counts = new Map<string, number>();
  private constructor(private readonly bus: Bus) {}

  static async on(n: GatewayNode): Promise<RequestSpy> {
    const bus = await Bus.connect({
      url: n.node.nats.url,
      token: n.node.nats.token,
      name: "request-spy",
      version: "0.0.0",
      log: createLogger("spy", "silent"),
    });
    const spy = new RequestSpy(bus);
    bus.nc.subscribe("chain.>", {
      callback: (_err, msg) => {
        if (msg.reply) spy.counts.set(msg.subject, (spy.counts.get(msg.subject) ?? 0) + 1);
      },
    });
    await bus.nc.flush();
    return spy;
  }

  /** Requests counted so far whose subject starts with `prefix`; then forgets them. */
  take(prefix: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [s, n] of this.counts) if (s.startsWith(prefix)) out[s] = n;
    for (const s of Object.keys(out)) this.counts.delete(s);
    return out;
  }

  async settle(): Promise<void> {
    await this.bus.nc.flush();
  }

  close(): Promise<void> {
    return this.bus.close();
  }
}

let a: GatewayNode;
let b: GatewayNode;
let c: GatewayNode;
let spies: RequestSpy[];

beforeAll(async () => {
  // The periodic tip check (a catch-up when events were missed) stays out of the counted window.
  const quiet = () => startGatewayNode({ options: { tipPollMs: 3_600_000 } });
  [a, b, c] = await Promise.all([quiet(), quiet(), quiet()]);
  expect((await connect(a, b)).status).toBe(200);
  expect((await connect(b, c)).status).toBe(200);
  spies = await Promise.all([a, b, c].map((n) => RequestSpy.on(n)));
});
afterAll(async () => {
  await Promise.all((spies ?? []).map((s) => s.close()));
  await Promise.all([a, b, c].map((n) => n?.stop()));
});

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((x, y) => x + y, 0);

describe("NATS round trips between gateway and chain", () => {
  it("relaying a tx costs each receiving node one submit and nothing else", async () => {
    const n = 10;
    for (const s of spies) s.take("");
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const stx = makeTx(`count-${i}`);
      ids.push(toHex(txId(stx)));
      a.chain.acceptTx(signedTransactionToJson(stx), false);
    }
    await eventually(() => ids.every((id) => c.chain.txs.has(id)), Boolean);
    await Promise.all(spies.map((s) => s.settle()));
    const [ra, rb, rc] = spies.map((s) => s.take("chain.v1.tx."));
    console.log("requests per relayed tx", { a: sum(ra!) / n, b: sum(rb!) / n, c: sum(rc!) / n, ra, rb, rc });
    expect(ra).toEqual({});
    expect(rb).toEqual({ "chain.v1.tx.submit": n });
    expect(rc).toEqual({ "chain.v1.tx.submit": n });
  });

  it("a mined block costs its own gateway nothing and each receiving node one submit", async () => {
    for (const s of spies) s.take("");
    const hash = a.chain.mine([makeTx("mined")]);
    await eventually(() => c.gateway.localTip.height === a.chain.height, Boolean);
    await Promise.all(spies.map((s) => s.settle()));
    const [ra, rb, rc] = spies.map((s) => s.take("chain.v1."));
    console.log("requests per mined block", { a: sum(ra!), b: sum(rb!), c: sum(rc!), ra, rb, rc });
    expect(c.chain.tipHash).toBe(hash);
    expect(ra).toEqual({});
    expect(rb).toEqual({ "chain.v1.block.submit": 1 });
    expect(rc).toEqual({ "chain.v1.block.submit": 1 });
  });
});
