import type { DashboardBlock, DashboardNetwork, DashboardNode } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import {
  cdf,
  components,
  forkTree,
  linksOf,
  mergeNetworks,
  propagation,
  recentDelays,
} from "../src/model/network.js";
import { syntheticNetwork } from "../src/model/synthetic.js";
import { readUrlState, writeUrlState } from "../src/model/url-state.js";

const id = (n: number) => n.toString(16).padStart(64, "0");
const hash = (s: string) => s.padEnd(64, "0");

/** A chain of blocks named by letters: "ab" is genesis a then b, each on the previous one. */
function chain(names: string, receivedAt: (name: string) => number = () => 1): DashboardBlock[] {
  return [...names].map((c, i) => ({
    hash: hash(c),
    height: i,
    prevHash: i === 0 ? hash("0") : hash(names[i - 1]!),
    receivedAt: receivedAt(c),
  }));
}

function snap(
  n: number,
  blocks: DashboardBlock[],
  peers: { id: number; out: boolean; ms?: number }[] = [],
  at = 1,
): DashboardNode {
  const t = blocks.at(-1)!;
  return {
    nodeId: id(n),
    role: "full",
    agent: "t",
    at,
    tip: { height: t.height, hash: t.hash, timestamp: 0 },
    sync: null,
    mempool: null,
    txAccepted: 0,
    blocks,
    peers: peers.map((p) => ({
      id: id(p.id),
      address: "127.0.0.1:1",
      direction: p.out ? "outbound" : "inbound",
      latencyMs: p.ms ?? null,
      height: 0,
      score: 0,
      bytesIn: 0,
      bytesOut: 0,
      apiUrl: null,
    })),
    bans: [],
    messages: {},
    dht: null,
    consensus: null,
    compute: null,
  };
}
const net = (...nodes: DashboardNode[]): DashboardNetwork => ({
  self: nodes[0]!.nodeId,
  nodes: nodes.map((node) => ({ url: "u", node })),
  unreachable: [],
});

describe("links and components", () => {
  it("counts a link once, takes its direction from the dialer and the lower latency", () => {
    const m = mergeNetworks([
      net(
        snap(1, chain("a"), [{ id: 2, out: false, ms: 9 }]),
        snap(2, chain("a"), [{ id: 1, out: true, ms: 5 }]),
      ),
    ]);
    expect(linksOf(m)).toEqual([{ key: `${id(1)}-${id(2)}`, from: id(2), to: id(1), latencyMs: 5 }]);
  });

  it("splits a partitioned network into its components, largest first", () => {
    const m = mergeNetworks([
      net(
        snap(1, chain("a"), [{ id: 2, out: true }]),
        snap(2, chain("a"), [{ id: 1, out: false }]),
        snap(3, chain("a"), [
          { id: 4, out: true },
          { id: 5, out: true },
        ]),
        snap(4, chain("a")),
        snap(5, chain("a")),
      ),
    ]);
    const c = components(m.keys(), linksOf(m));
    expect(c.map((g) => g.sort())).toEqual([
      [id(3), id(4), id(5)],
      [id(1), id(2)],
    ]);
  });

  it("keeps a node's newest snapshot and lists unreadable peers without one", () => {
    const old = snap(1, chain("a"), [], 1);
    const fresh = snap(1, chain("ab"), [], 2);
    const m = mergeNetworks([
      net(fresh),
      { ...net(old), unreachable: [{ id: id(9), url: null, error: "no REST address known" }] },
    ]);
    expect(m.get(id(1))!.node!.tip!.height).toBe(1);
    expect(m.get(id(9))).toMatchObject({ node: null, error: "no REST address known" });
  });
});

describe("fork tree", () => {
  it("one branch when nodes agree or merely lag on the same chain", () => {
    const t = forkTree(mergeNetworks([net(snap(1, chain("abc")), snap(2, chain("ab")))]).values());
    expect(t.branches).toEqual([{ tipHash: hash("c"), tipHeight: 2, length: 0, nodes: [id(1), id(2)] }]);
  });

  it("two branches from the last common block when tips diverge", () => {
    const t = forkTree(
      mergeNetworks([net(snap(1, chain("abcd")), snap(2, chain("abxyz")), snap(3, chain("abxy")))]).values(),
    );
    expect(t.base).toEqual({ hash: hash("b"), height: 1 });
    expect(t.branches.map((b) => [b.tipHeight, b.length, b.nodes])).toEqual([
      [4, 3, [id(2), id(3)]],
      [3, 2, [id(1)]],
    ]);
  });
});

describe("propagation", () => {
  it("measures each node's delay after the first and pools the last N blocks", () => {
    const times: Record<string, number[]> = { a: [0, 0, 0], b: [100, 130, 250], c: [500, 505, 900] };
    const m = mergeNetworks([
      net(
        ...[0, 1, 2].map((i) =>
          snap(
            i + 1,
            chain("abc", (c) => 1_000 + times[c]![i]!),
          ),
        ),
      ),
    ]);
    const p = propagation(m.values());
    expect(p.get(hash("b"))!.delays).toEqual([0, 30, 150]);
    expect(recentDelays(p, 2).sort((x, y) => x - y)).toEqual([5, 30, 150, 400]);
    // A node that does not know when it got a block (a light node: 0) is left out, not counted first.
    const light = mergeNetworks([
      net(
        snap(
          1,
          chain("ab", () => 500),
        ),
        snap(
          2,
          chain("ab", () => 0),
        ),
      ),
    ]);
    expect(propagation(light.values()).size).toBe(0);
    expect(cdf([30, 0, 150])).toEqual([
      [0, 1 / 3],
      [30, 2 / 3],
      [150, 1],
    ]);
  });
});

describe("URL state", () => {
  it("round-trips filters and selection and drops what is out of range", () => {
    const s = readUrlState(
      `?node=${id(7)}&block=${hash("b")}&roles=miner,bogus,light&blocks=50&nodes=http://10.0.0.2:7100/,javascript:alert(1)&poll=0&slots=20&task=0f3c-aa_1`,
    );
    expect(s).toEqual({
      node: id(7),
      block: hash("b"),
      roles: ["miner", "light"],
      blocks: 50,
      nodes: ["http://10.0.0.2:7100"],
      poll: 2,
      synthetic: 0,
      slots: 20,
      task: "0f3c-aa_1",
    });
    expect(readUrlState(writeUrlState(s))).toEqual(s);
    // The heatmap shows at most the slots a snapshot carries; a task id is a plain token.
    expect(readUrlState("?slots=25&task=<script>")).toMatchObject({ slots: 12, task: null });
    expect(writeUrlState(readUrlState(""))).toBe("");
  });
});

describe("synthetic network", () => {
  it("has the asked number of nodes, each with its peers, all one component", () => {
    const n = syntheticNetwork(1000);
    const m = mergeNetworks([n]);
    expect(m.size).toBe(1000);
    expect(components(m.keys(), linksOf(m))).toHaveLength(1);
  });
});
