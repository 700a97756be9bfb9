import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { join } from "node:path";
import { normalizeIp } from "@p2pnode/codec/dht";
import { loadOrCreateIdentity } from "@p2pnode/crypto";
import type { NodeConfig } from "@p2pnode/kit";
import { LISTENERS, type NodeNetwork } from "@p2pnode/types";
import { Bootstrapper } from "./bootstrap.js";
import { type DhtLog, DhtNode } from "./dht-node.js";
import type { Endpoint } from "./endpoint.js";
import { Files, Transfers } from "./files.js";
import { createSigner, createVerifier } from "./signing.js";
import { SqliteValueStore, type ValueStore } from "./store.js";
import { systemClock } from "./transport.js";
import { UdpTransport } from "./udp-transport.js";
import { ValueProtocol } from "./value-protocol.js";

/** Bytes of values this node keeps for the network (its own files included). */
export const STORE_QUOTA_BYTES = 512 * 1024 * 1024;

/** Everything the dht service runs, built from the node configuration; main.ts only adds NATS and REST. */
export interface DhtService {
  node: DhtNode;
  values: ValueProtocol;
  files: Files;
  transfers: Transfers;
  store: ValueStore;
  bootstrapper: Bootstrapper;
  transport: UdpTransport;
  /** The chain id of the network. */
  networkName: string;
  stop(): Promise<void>;
}

export const resolveAll = async (host: string): Promise<string[]> =>
  (await lookup(host, { all: true })).map((a) => normalizeIp(a.address));

/**
 * The address in our node record: P2PNODE_ADVERTISE_HOST (resolved if a name), loopback in a devnet,
 * else unknown ("0.0.0.0") until PONGs from two peers agree on what they see.
 */
async function advertisedHost(config: NodeConfig, bound: Endpoint): Promise<string> {
  if (config.advertiseHost) {
    if (isIP(config.advertiseHost)) return normalizeIp(config.advertiseHost);
    return (await resolveAll(config.advertiseHost))[0] ?? "0.0.0.0";
  }
  if (config.devnet) return "127.0.0.1";
  return bound.host === "::" ? "0.0.0.0" : bound.host;
}

/**
 * Starts the DHT of this node's network (node.v1.network.get): every datagram and record is signed
 * in packages/crypto's DHT domains under the network's chain id, so DHTs of different chains never
 * accept each other's datagrams (the gateway's handshake also checks the genesis hash).
 */
export async function startDht(config: NodeConfig, network: NodeNetwork, log: DhtLog): Promise<DhtService> {
  const identity = loadOrCreateIdentity(config.dataDir);
  const networkName = network.chainId;
  // a devnet lives on loopback; a real node listens on every interface for peers to reach it
  const transport = await UdpTransport.bind({
    host: config.p2pHost,
    port: config.ports.dhtUdp,
  });
  const store = new SqliteValueStore(join(config.dataDir, "dht", "dht.sqlite"), STORE_QUOTA_BYTES);
  const seq = Math.max(Number(store.getMeta("record_seq") ?? 0) + 1, Date.now());
  store.setMeta("record_seq", String(seq));
  const node = new DhtNode(
    {
      record: {
        roles: [config.role],
        udp: { host: await advertisedHost(config, transport.local), port: transport.local.port },
        wsPort: config.ports.p2p,
      },
      recordSeq: seq,
      // every devnet node shares 127.0.0.1: prefix limits and per-IP rate limits would cut it off
      table: config.devnet ? { ipLimits: null } : {},
      rpc: config.devnet ? { rateLimit: null } : {},
    },
    {
      transport,
      signer: createSigner(identity, networkName),
      verifier: createVerifier(networkName),
      clock: systemClock,
      log,
    },
  );
  const originalUpdate = node.updateRecord.bind(node);
  node.updateRecord = (change) => {
    const r = originalUpdate(change);
    store.setMeta("record_seq", String(r.seq));
    return r;
  };
  const values = new ValueProtocol({}, { node, store });
  const files = new Files({}, { values });
  const bootstrapper = new Bootstrapper(
    { bootnodes: config.bootnodes, dnsSeeds: config.dnsSeeds, dnsSeedPort: LISTENERS.dhtUdp.port },
    { node, resolve: resolveAll, log },
  );
  node.start();
  values.start();
  bootstrapper.start();
  log.info({ nodeId: node.selfIdHex, udp: transport.local, network: networkName }, "dht listening");
  return {
    node,
    values,
    files,
    transfers: new Transfers(),
    store,
    bootstrapper,
    transport,
    networkName,
    stop: async () => {
      bootstrapper.stop();
      await node.stop();
      store.close();
    },
  };
}
