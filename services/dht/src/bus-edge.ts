import { isIP } from "node:net";
import type { Bus } from "@p2pnode/kit";
import { DhtSubjects } from "@p2pnode/types";
import type { DhtLog } from "./dht-node.js";
import { type DhtService, resolveAll } from "./dht-service.js";
import { recordToJson } from "./node-record.js";
import { getValueJson, lookupJson, putContentJson } from "./views.js";

/** The dht service's NATS edge: four endpoints, one event out (peer found), one in (candidates). */
export async function serveBus(bus: Bus, dht: DhtService, log: DhtLog): Promise<void> {
  const { node, values } = dht;
  await bus.serve(DhtSubjects.valueGet, (req) => getValueJson(values, node, req.key));
  await bus.serve(DhtSubjects.valuePut, (req) => putContentJson(values, req.value, req.ttlSeconds));
  await bus.serve(DhtSubjects.nodeLookup, (req) => lookupJson(node, req.nodeId));
  await bus.serve(DhtSubjects.peerList, (req) => ({
    records: node.knownRecords(req.limit).map(recordToJson),
  }));

  node.onRecord = (r) => {
    try {
      if (bus.isConnected) bus.publish(DhtSubjects.peerFound, recordToJson(r));
    } catch (err) {
      log.warn({ err: (err as Error).message }, "could not publish dht.v1.peer.found");
    }
  };

  // addresses from the gateway's peer exchange: pinged, and admitted only if they answer signed
  bus.subscribe(DhtSubjects.candidateOffered, async (c) => {
    const hosts = isIP(c.host) ? [c.host] : await resolveAll(c.host).catch(() => []);
    await Promise.all(hosts.slice(0, 4).map((host) => node.ping({ host, port: c.udpPort }, c.nodeId)));
  });
}
