import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeEnv, openDatabase, parseEnv, toNodeConfig } from "@p2pnode/kit";
import { POLICY_REFUSALS } from "@p2pnode/rules";
import { describe, expect, it } from "vitest";
import { AddressBook, isLoopback, netgroup, normaliseIp } from "../src/address-book.js";
import { BAN_MIGRATIONS, BanStore } from "../src/bans.js";
import { gatewayOptionsFromConfig } from "../src/options.js";
import { blockPenalty, txPenalty } from "../src/penalties.js";
import { PeerScores } from "../src/scoring.js";
import { BoundedSet, SeenCache } from "../src/seen-cache.js";
import { TokenBucket } from "../src/token-bucket.js";

describe("token bucket", () => {
  it("allows the burst, then the rate", () => {
    let t = 0;
    const b = new TokenBucket(10, 5, () => t);
    for (let i = 0; i < 5; i++) expect(b.take()).toBe(true);
    expect(b.take()).toBe(false);
    t = 100; // 0.1 s → one token
    expect(b.take()).toBe(true);
    expect(b.take()).toBe(false);
    t = 10_000;
    expect(b.available).toBe(0);
    expect(b.take(5)).toBe(true); // refilled, capped at the burst
    expect(b.take()).toBe(false);
  });
});

describe("seen cache", () => {
  it("forgets entries after the TTL and beyond the size cap, oldest first", () => {
    let t = 0;
    const c = new SeenCache(1_000, 3, () => t);
    expect(c.add("a")).toBe(true);
    expect(c.add("a")).toBe(false);
    t = 500;
    c.add("b");
    c.add("c");
    c.add("d");
    expect(c.has("a")).toBe(false);
    expect(c.size).toBe(3);
    t = 1_600;
    expect(c.has("b")).toBe(false);
    expect(c.add("b")).toBe(true);
    const s = new BoundedSet(2);
    s.add("x");
    s.add("y");
    s.add("z");
    expect([s.has("x"), s.has("y"), s.has("z")]).toEqual([false, true, true]);
  });
});

describe("peer scores", () => {
  it("records explainable events, caps credit and decays penalties toward zero", () => {
    let t = 0;
    const s = new PeerScores({ decayPerMinute: 10, maxScore: 5, maxEvents: 3, maxPeers: 10 }, () => t);
    for (let i = 0; i < 10; i++) s.record("p", "USEFUL_TX");
    expect(s.score("p")).toBe(5);
    s.record("p", "MALFORMED_MESSAGE", "bad cbor");
    expect(s.score("p")).toBe(-45);
    expect(s.events("p")[0]).toMatchObject({ kind: "MALFORMED_MESSAGE", delta: -50, detail: "bad cbor" });
    // Ten rewards in a row are one event with their count and sum.
    expect(s.events("p")[1]).toMatchObject({ kind: "USEFUL_TX", delta: 10, count: 10 });
    expect(s.events("p")).toHaveLength(2);
    t = 60_000;
    expect(s.record("p", "UNWANTED_TX")).toBeCloseTo(-35); // stale txs cost nothing; 1 minute of decay
    t = 60 * 60_000;
    expect(s.record("p", "ADMIN")).toBe(0);
  });

  it("keeps the penalty that explains a drop however many rewards follow it", () => {
    const s = new PeerScores({ decayPerMinute: 1, maxScore: 50, maxEvents: 4, maxPeers: 10 });
    s.record("p", "BAD_SYNC_ANSWER", "headers do not link");
    // Rewards of alternating kinds do not merge, so they fill the log.
    for (let i = 0; i < 100; i++) s.record("p", i % 2 === 0 ? "USEFUL_BLOCK" : "USEFUL_TX");
    const events = s.events("p");
    expect(events).toHaveLength(4);
    expect(events.map((e) => e.kind)).toEqual(["USEFUL_TX", "USEFUL_BLOCK", "USEFUL_TX", "BAD_SYNC_ANSWER"]);
    // Penalties alone still keep the newest (a flood of them is not hidden by old ones).
    for (let i = 0; i < 6; i++) s.record("q", "FLOOD", `msg ${i}`);
    expect(s.events("q").map((e) => e.detail)).toEqual(["msg 5", "msg 4", "msg 3", "msg 2"]);
    // A penalty between rewards splits them: the count says how many came in a row.
    s.record("r", "USEFUL_BLOCK");
    s.record("r", "USEFUL_BLOCK");
    s.record("r", "INVALID_TX");
    s.record("r", "USEFUL_BLOCK");
    expect(s.events("r").map((e) => [e.kind, e.delta, e.count])).toEqual([
      ["USEFUL_BLOCK", 5, undefined],
      ["INVALID_TX", -20, undefined],
      ["USEFUL_BLOCK", 10, 2],
    ]);
  });

  it("maps chain rejections to penalties: forged data costs, ordinary races do not", () => {
    expect(blockPenalty("INVALID_POW")).toBe("INVALID_BLOCK");
    expect(blockPenalty("PREV_HASH_MISMATCH")).toBeUndefined();
    expect(blockPenalty("MISSED_BLOCK")).toBeUndefined();
    expect(blockPenalty("DUPLICATE")).toBeUndefined();
    expect(txPenalty("INVALID_SIGNATURE")).toBe("INVALID_TX");
    expect(txPenalty("BAD_NONCE")).toBe("UNWANTED_TX");
    expect(txPenalty("DUPLICATE")).toBeUndefined();
  });

  it("never scores a peer for this node's policy refusals (a fork below our reorg limit)", () => {
    expect(POLICY_REFUSALS.size).toBeGreaterThan(0);
    for (const code of POLICY_REFUSALS) expect(blockPenalty(code), code).toBeUndefined();
  });
});

describe("ban store", () => {
  it("keeps bans across reopening the database and expires them", () => {
    const file = join(mkdtempSync(join(tmpdir(), "gw-bans-")), "bans.sqlite");
    let t = 1_000;
    const db1 = openDatabase(file, BAN_MIGRATIONS);
    const s1 = new BanStore(db1, () => t);
    s1.ban("ab".repeat(32), "node", "flood", 60_000);
    s1.ban("10.1.2.3", "ip", "flood", 1_000);
    db1.close();
    const s2 = new BanStore(openDatabase(file, BAN_MIGRATIONS), () => t);
    expect(s2.isBanned("ab".repeat(32))).toBe(true);
    expect(
      s2
        .list()
        .map((b) => b.kind)
        .sort(),
    ).toEqual(["ip", "node"]);
    t = 2_500;
    expect(s2.isBanned("10.1.2.3")).toBe(false);
    expect(s2.unban("ab".repeat(32))).toBe(true);
    expect(s2.list()).toHaveLength(0);
  });
});

describe("address book and diversity", () => {
  it("backs off exponentially after failures and resets on success", () => {
    let t = 0;
    const book = new AddressBook({ backoffBaseMs: 1_000, backoffMaxMs: 4_000, maxEntries: 10 }, () => t);
    book.add("10.0.0.1", 7101, "dht");
    book.add("10.0.0.2", 7101, "static");
    expect(book.due().map((c) => c.host)).toEqual(["10.0.0.2", "10.0.0.1"]);
    for (let i = 0; i < 4; i++) book.failed("10.0.0.1", 7101);
    expect(book.due().map((c) => c.host)).toEqual(["10.0.0.2"]);
    t = 3_999;
    expect(book.due()).toHaveLength(1);
    t = 4_000; // capped at backoffMaxMs
    expect(book.due()).toHaveLength(2);
    book.connected("10.0.0.1", 7101, "id");
    expect(book.due().find((c) => c.host === "10.0.0.1")?.failures).toBe(0);
  });

  it("groups addresses by /16 and recognises loopback", () => {
    expect(netgroup("10.1.2.3")).toBe(netgroup("10.1.200.9"));
    expect(netgroup("10.1.2.3")).not.toBe(netgroup("10.2.2.3"));
    expect(normaliseIp("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(isLoopback("127.0.0.5") && isLoopback("::1")).toBe(true);
    expect(isLoopback("10.0.0.1")).toBe(false);
  });
});

describe("gateway options", () => {
  it("come from the node's configuration (NodeEnv parses and names bad values)", () => {
    const config = toNodeConfig(
      parseEnv(NodeEnv, {
        P2PNODE_P2P_PEERS: "127.0.0.1:21101, node-2:7101",
        P2PNODE_P2P_DISCOVERY: "0",
        P2PNODE_P2P_MAX_OUTBOUND: "2",
        P2PNODE_DEVNET: "1",
      }),
    );
    expect(gatewayOptionsFromConfig(config)).toMatchObject({
      staticPeers: ["127.0.0.1:21101", "node-2:7101"],
      discovery: false,
      maxOutbound: 2,
      devnet: true,
    });
    expect(gatewayOptionsFromConfig(toNodeConfig(parseEnv(NodeEnv, {})))).toMatchObject({ discovery: true });
  });
});

describe("orphan txs", () => {
  it("holds txs that arrived before their predecessor, bounded by count and age", async () => {
    const { OrphanTxs } = await import("../src/orphan-txs.js");
    let t = 0;
    const o = new OrphanTxs(2, 1_000, () => t);
    o.add("s", 5, new Uint8Array([5]));
    o.add("s", 6, new Uint8Array([6]));
    o.add("s", 7, new Uint8Array([7])); // over the cap: dropped
    expect(o.size).toBe(2);
    expect(o.take("s", 5)).toEqual(new Uint8Array([5]));
    expect(o.take("s", 7)).toBeUndefined();
    t = 1_000;
    o.add("r", 1, new Uint8Array([1])); // prunes the expired nonce 6
    expect(o.take("s", 6)).toBeUndefined();
    expect(o.size).toBe(1);
  });
});

describe("dns seeds", () => {
  it("turns every address of a seed into a candidate on our P2P port", async () => {
    const { watchDnsSeeds } = await import("../src/dns-seeds.js");
    const { createLogger } = await import("@p2pnode/kit");
    const got: string[] = [];
    const stop = watchDnsSeeds(
      ["localhost"],
      7101,
      (ip, port) => got.push(`${ip}:${port}`),
      createLogger("t", "silent"),
    );
    // Until the first resolution lands, however long a loaded machine takes (the hang guard bounds it).
    while (got.length === 0) await new Promise((r) => setTimeout(r, 20));
    stop();
    expect(got.some((a) => a === "127.0.0.1:7101" || a === "::1:7101")).toBe(true);
  });
});
