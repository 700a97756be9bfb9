import { describe, expect, it } from "vitest";
import { ConfigError, envNumber, envNumbers, NodeEnv, parseEnv, toNodeConfig } from "../src/config/index.js";

const load = (env: NodeJS.ProcessEnv) => toNodeConfig(parseEnv(NodeEnv, env));

describe("node configuration from the environment", () => {
  it.each([
    ["P2PNODE_ROLE", "banana", /invalid P2PNODE_ROLE="banana"/],
    ["P2PNODE_CHAIN_PORT", "70000", /invalid P2PNODE_CHAIN_PORT="70000"/],
    ["P2PNODE_P2P_PORT", "abc", /invalid P2PNODE_P2P_PORT="abc"/],
    ["P2PNODE_NATS_URL", "http://x:1", /invalid P2PNODE_NATS_URL/],
    ["P2PNODE_BOOTNODES", "host-without-port", /invalid P2PNODE_BOOTNODES/],
    ["P2PNODE_P2P_PEERS", "nope", /invalid P2PNODE_P2P_PEERS/],
    ["P2PNODE_P2P_MAX_OUTBOUND", "-1", /invalid P2PNODE_P2P_MAX_OUTBOUND/],
    ["P2PNODE_API_TOKEN", "short", /invalid P2PNODE_API_TOKEN/],
    ["P2PNODE_LOG_LEVEL", "loud", /invalid P2PNODE_LOG_LEVEL/],
    ["P2PNODE_VERIFY_THREADS", "0", /invalid P2PNODE_VERIFY_THREADS="0"/],
    ["P2PNODE_VERIFY_THREADS", "two", /invalid P2PNODE_VERIFY_THREADS="two"/],
    ["P2PNODE_VERIFY_THREADS", "1.5", /invalid P2PNODE_VERIFY_THREADS="1.5"/],
    ["P2PNODE_VERIFY_THREADS", "257", /invalid P2PNODE_VERIFY_THREADS="257"/],
    ["P2PNODE_CHAIN_FLUSH_BLOCKS", "0", /invalid P2PNODE_CHAIN_FLUSH_BLOCKS="0"/],
    ["P2PNODE_CHAIN_FLUSH_BLOCKS", "1.5", /invalid P2PNODE_CHAIN_FLUSH_BLOCKS="1.5"/],
    ["P2PNODE_CHAIN_FLUSH_ROWS", "lots", /invalid P2PNODE_CHAIN_FLUSH_ROWS="lots"/],
  ])("%s=%s is refused with a one-line message naming the variable", (name, value, pattern) => {
    let err: unknown;
    try {
      load({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(name);
    expect((err as ConfigError).message).toMatch(pattern);
    expect((err as ConfigError).message).not.toContain("\n");
  });

  it("uses the container defaults when nothing is set", () => {
    const c = load({});
    expect(c.role).toBe("full");
    expect(c.ports.chainApi).toBe(7200);
    expect(c.ports.p2p).toBe(7101);
    expect(c.ports.nats).toBe(4222);
    expect(c.apiHost).toBe("127.0.0.1");
    expect(c.bootnodes).toEqual([]);
    expect(c.verifyThreads).toBeUndefined(); // one per core
    expect(load({ P2PNODE_VERIFY_THREADS: "3" }).verifyThreads).toBe(3);
    expect(c.chainFlush).toEqual({ blocks: undefined, rows: undefined }); // the chain's defaults
    expect(load({ P2PNODE_CHAIN_FLUSH_BLOCKS: "1" }).chainFlush).toEqual({ blocks: 1, rows: undefined });
  });

  it("derives every port from P2PNODE_PORT_BASE, and a port variable beats the base", () => {
    const c = load({ P2PNODE_PORT_BASE: "21000", P2PNODE_DHT_UDP_PORT: "40001" });
    expect(c.ports.gatewayApi).toBe(21100);
    expect(c.ports.chainApi).toBe(21200);
    expect(c.ports.nats).toBe(21900);
    expect(c.ports.dhtUdp).toBe(40001);
  });

  it("splits comma lists and trims them", () => {
    const c = load({ P2PNODE_BOOTNODES: "10.0.0.1:7401, node-2.p2p:7401,", P2PNODE_DNS_SEEDS: "node" });
    expect(c.bootnodes).toEqual(["10.0.0.1:7401", "node-2.p2p:7401"]);
    expect(c.dnsSeeds).toEqual(["node"]);
  });
});

describe("numeric settings of runs and benches (envNumber)", () => {
  it("reads the fallback when unset, else the number as Number reads it", () => {
    expect(envNumber("RUNS", 300, { min: 1 }, {})).toBe(300);
    expect(envNumber("RUNS", 300, { min: 1 }, { RUNS: " 1e3 " })).toBe(1000);
    expect(envNumber("SECONDS", 1, { min: 0.1, integer: false }, { SECONDS: "0.5" })).toBe(0.5);
    expect(envNumbers("SIZES", [10, 12], { min: 1 }, {})).toEqual([10, 12]);
    expect(envNumbers("SIZES", [10, 12], { min: 1 }, { SIZES: "8,9" })).toEqual([8, 9]);
  });

  it("refuses NaN, fractions, out-of-range values and empty list items, naming the variable", () => {
    const refused = (read: () => unknown, pattern: RegExp) => {
      expect(read).toThrow(ConfigError);
      expect(read).toThrow(pattern);
    };
    refused(
      () => envNumber("RUNS", 1, { min: 1 }, { RUNS: "10k" }),
      /^invalid RUNS="10k": must be a whole number 1\.\.$/,
    );
    refused(() => envNumber("RUNS", 1, { min: 1 }, { RUNS: "" }), /^invalid RUNS="": must be a whole number/);
    refused(() => envNumber("RUNS", 1, { min: 1 }, { RUNS: "2.5" }), /whole number/);
    refused(() => envNumber("RUNS", 1, { min: 1 }, { RUNS: "0" }), /must be a whole number 1\.\./);
    refused(() => envNumber("SEED", 1, { min: 0, max: 9 }, { SEED: "10" }), /must be a whole number 0\.\.9$/);
    refused(
      () => envNumber("S", 1, { min: 0.1, integer: false }, { S: "Infinity" }),
      /must be a number 0\.1\.\./,
    );
    refused(() => envNumbers("SIZES", [], { min: 1 }, { SIZES: "10,,12" }), /^invalid SIZES="10,,12"/);
  });
});
