import { describe, expect, it } from "vitest";
import { Bootstrapper } from "../src/bootstrap.js";
import { MemoryNetwork } from "../src/memory-transport.js";
import { memoryNode } from "./helpers.js";

const log = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined };
const at = (i: number) => ({ host: `127.0.1.${i}`, port: 7401 });

describe("bootstrap from a DNS seed", () => {
  it("a node that knows only a seed name finds every node behind it and then the rest", async () => {
    const net = new MemoryNetwork();
    const nodes = [1, 2, 3, 4, 5].map((i) => memoryNode(net, at(i)));
    // Nodes 2..5 form a network through node 1; the seed name answers with nodes 1 and 2 only.
    for (const n of nodes.slice(1)) await net.run(n.node.bootstrap([at(1)]));
    const newcomer = memoryNode(net, at(9));
    const asked: string[] = [];
    const boot = new Bootstrapper(
      { bootnodes: [], dnsSeeds: ["node"] },
      {
        node: newcomer.node,
        resolve: async (name) => {
          asked.push(name);
          return ["127.0.1.1", "127.0.1.2"];
        },
        log,
      },
    );
    const endpoints = await boot.endpoints();
    expect(asked).toEqual(["node"]);
    expect(endpoints).toEqual([at(1), at(2)]);
    await net.run(newcomer.node.bootstrap(endpoints));
    // It learnt of nodes 3..5 from the network, not from the seed.
    expect(newcomer.node.table.size).toBe(5);
  });

  it("skips its own address and names that do not resolve, and says why", async () => {
    const net = new MemoryNetwork();
    const self = memoryNode(net, at(7));
    const boot = new Bootstrapper(
      { bootnodes: ["127.0.1.7:7401", "seed-b:7401"], dnsSeeds: ["seed-a"] },
      {
        node: self.node,
        resolve: async (name) => {
          if (name === "seed-a") throw new Error("ENOTFOUND seed-a");
          return ["127.0.1.8"];
        },
        log,
      },
    );
    expect(await boot.endpoints()).toEqual([at(8)]);
    expect(boot.lastError).toMatch(/cannot resolve seed-a/);
  });
});
