import { randomBytes } from "node:crypto";
import { nodeKeyFromSeed } from "@p2pnode/crypto";
import { DhtNode } from "../src/dht-node.js";
import type { Endpoint } from "../src/endpoint.js";
import type { MemoryNetwork, MemoryTransport } from "../src/memory-transport.js";
import { createSigner, createVerifier, type Signer } from "../src/signing.js";
import { MemoryValueStore } from "../src/store.js";
import { ValueProtocol } from "../src/value-protocol.js";

export const CHAIN_ID = "p2pnode-test";

export function testSigner(chainId = CHAIN_ID): Signer {
  return createSigner(nodeKeyFromSeed(new Uint8Array(randomBytes(32))), chainId);
}

export interface TestDht {
  node: DhtNode;
  values: ValueProtocol;
  store: MemoryValueStore;
  transport: MemoryTransport;
  endpoint: Endpoint;
  signer: Signer;
}

/** One DhtNode on a MemoryNetwork, maintenance off (tests drive it). */
export function memoryNode(
  net: MemoryNetwork,
  endpoint: Endpoint,
  opts: { ipLimits?: boolean } = {},
): TestDht {
  const transport = net.attach(endpoint);
  const signer = testSigner();
  const node = new DhtNode(
    {
      refreshIntervalMs: 0,
      revalidateIntervalMs: 0,
      record: { roles: ["full"], udp: endpoint, wsPort: 7101 },
      table: opts.ipLimits === false ? { ipLimits: null } : {},
    },
    { transport, signer, verifier: createVerifier(CHAIN_ID), clock: net },
  );
  const store = new MemoryValueStore();
  const values = new ValueProtocol({ republishIntervalMs: 0 }, { node, store });
  return { node, values, store, transport, endpoint, signer };
}
