import { Gauge, type Registry } from "prom-client";
import type { DhtService } from "./dht-service.js";

/** Prometheus views of the DHT's counters, read at scrape time (no hot-path metric calls). */
export function registerMetrics(registry: Registry, dht: DhtService): void {
  const { node, values, store } = dht;
  const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge) => void) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        collect(this);
      },
    });
  gauge("dht_datagrams_sent_total", "Datagrams sent by message type", ["type"], (g) => {
    for (const [type, n] of Object.entries(node.rpc.stats.sent)) g.set({ type }, n);
  });
  gauge("dht_datagrams_received_total", "Verified datagrams received by message type", ["type"], (g) => {
    for (const [type, n] of Object.entries(node.rpc.stats.received)) g.set({ type }, n);
  });
  gauge("dht_datagrams_dropped_total", "Inbound datagrams dropped, by reason", ["reason"], (g) => {
    for (const [reason, n] of Object.entries(node.rpc.stats.dropped)) g.set({ reason }, n ?? 0);
  });
  gauge("dht_request_timeouts_total", "Requests that got no (complete) answer", [], (g) =>
    g.set(node.rpc.stats.timeouts),
  );
  gauge("dht_routing_table_contacts", "Contacts in the routing table", [], (g) => g.set(node.table.size));
  gauge("dht_lookups_total", "Lookups started by this node", [], (g) => g.set(node.stats.lookups));
  gauge("dht_bad_values_total", "Values refused because they did not match their key", [], (g) =>
    g.set(values.stats.badValues),
  );
  gauge("dht_store_bytes", "Bytes of values held", [], (g) => g.set(store.usage().bytes));
  gauge("dht_store_values", "Values held", [], (g) => g.set(store.usage().values));
}
