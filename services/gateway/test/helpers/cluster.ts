import type { RunningService } from "@p2pnode/kit";
import { freePort, startTestNode, startTestService, type TestNode, testGenesis } from "@p2pnode/kit/testing";
import type { Genesis } from "@p2pnode/types";
import { createGatewayService } from "../../src/api.js";
import type { Gateway } from "../../src/gateway.js";
import { type NetworkId, networkIdOf } from "../../src/network-id.js";
import type { GatewayOptions } from "../../src/options.js";
import { ChainStub } from "./chain-stub.js";

export const ADMIN = { authorization: "Bearer test-admin-token-0123456789" };

/** One test node with a chain stub and a real gateway on real loopback sockets. */
export interface GatewayNode {
  node: TestNode;
  chain: ChainStub;
  svc: RunningService;
  gateway: Gateway;
  p2pPort: number;
  network: NetworkId;
  stop: () => Promise<void>;
}

export async function startGatewayNode(
  opts: {
    options?: Partial<GatewayOptions>;
    genesis?: Partial<Genesis>;
    node?: TestNode;
    p2pPort?: number;
  } = {},
): Promise<GatewayNode> {
  if (opts.node && opts.genesis) throw new TypeError("a given node already has its genesis");
  const genesis = opts.genesis && testGenesis(opts.genesis);
  const node = opts.node ?? (await startTestNode("full", {}, { genesis }));
  const chain = await ChainStub.start(node);
  const p2pPort = opts.p2pPort ?? (await freePort());
  let gateway: Gateway | undefined;
  const def = createGatewayService({
    // Fast pings and dialling keep tests short; discovery off so each test wires its own topology.
    options: { pingIntervalMs: 500, dialIntervalMs: 200, discovery: false, ...opts.options },
    onStart: (g) => {
      gateway = g;
    },
  });
  const svc = await startTestService(def, node, { P2PNODE_P2P_PORT: String(p2pPort), P2PNODE_DEVNET: "1" });
  return {
    node,
    chain,
    svc,
    gateway: gateway!,
    p2pPort,
    network: networkIdOf(node.network),
    stop: async () => {
      await svc.stop();
      await chain.stop();
      if (!opts.node) await node.stop();
    },
  };
}

/** POST /peers/connect from one gateway to another's P2P port; the status and the JSON body. */
export async function connect(
  from: GatewayNode,
  to: GatewayNode,
): Promise<{ status: number; body: ConnectBody }> {
  const res = await from.svc.ctx.app.inject({
    method: "POST",
    url: "/peers/connect",
    headers: ADMIN,
    payload: { host: "127.0.0.1", port: to.p2pPort },
  });
  return { status: res.statusCode, body: res.json() };
}

export interface ConnectBody {
  id?: string;
  direction?: string;
  error?: { code: string; message: string };
}
