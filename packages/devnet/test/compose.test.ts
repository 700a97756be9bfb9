import { describe, expect, it } from "vitest";
import {
  ComposePsError,
  composeRows,
  composeServiceUrls,
  formatComposeTable,
  parseComposePsJson,
} from "../src/compose.js";

/** A container as Compose ≥ 2.21 prints it (one object per line), trimmed to the fields we read. */
function container(o: {
  service: string;
  n: number;
  role?: string;
  state?: string;
  health?: string;
  ports?: [target: number, published: number, proto?: string][];
  dual?: boolean;
}): Record<string, unknown> {
  const labels = [
    "com.docker.compose.config-hash=3f2a",
    `com.docker.compose.container-number=${o.n}`,
    "com.docker.compose.project=p2pnode",
    `com.docker.compose.service=${o.service}`,
    ...(o.role ? [`p2pnode.role=${o.role}`] : []),
  ].join(",");
  const publishers = (o.ports ?? []).flatMap(([target, published, proto = "tcp"]) => [
    { URL: "0.0.0.0", TargetPort: target, PublishedPort: published, Protocol: proto },
    ...(o.dual === false
      ? []
      : [{ URL: "::", TargetPort: target, PublishedPort: published, Protocol: proto }]),
  ]);
  return {
    Command: '"/usr/bin/tini -- /app/infra/docker/entrypoint.sh node start"',
    ExitCode: 0,
    Health: o.health ?? "healthy",
    ID: `c0ffee${o.n}`,
    Image: "p2pnode:local",
    Labels: labels,
    Name: `p2pnode-${o.service}-${o.n}`,
    Project: "p2pnode",
    Publishers: publishers,
    Service: o.service,
    State: o.state ?? "running",
    Status: "Up 2 minutes (healthy)",
  };
}

const minerPorts: [number, number, string?][] = [
  [7100, 32801],
  [7101, 32802],
  [7200, 32803],
  [7300, 32804],
  [7400, 32805],
  [7401, 32806, "udp"],
  [7500, 32807],
  [7600, 32808],
];

const ndjson = (cs: Record<string, unknown>[]) => cs.map((c) => JSON.stringify(c)).join("\n");

describe("parseComposePsJson", () => {
  it("reads one object per line (Compose ≥ 2.21) and a JSON array (older v2)", () => {
    const cs = [container({ service: "node", n: 1 }), container({ service: "node", n: 2 })];
    expect(parseComposePsJson(`${ndjson(cs)}\n`)).toEqual(cs);
    expect(parseComposePsJson(JSON.stringify(cs))).toEqual(cs);
    expect(parseComposePsJson(JSON.stringify(cs, null, 2))).toEqual(cs);
  });

  it("treats empty output (no containers) as no rows", () => {
    expect(parseComposePsJson("")).toEqual([]);
    expect(parseComposePsJson("\n")).toEqual([]);
    expect(parseComposePsJson("[]")).toEqual([]);
  });

  it.each([
    ["table output", "NAME  IMAGE  COMMAND"],
    ["a bare number", "42"],
    ["a truncated line", '{"Name":"p2pnode-node-1"'],
  ])("rejects %s with a coded error", (_id, text) => {
    expect(() => parseComposePsJson(text)).toThrow(ComposePsError);
  });
});

describe("composeRows", () => {
  it("maps each replica's published ports to its services, IPv4 wins over ::", () => {
    const rows = composeRows(
      ndjson([container({ service: "node", n: 1, role: "miner", ports: minerPorts })]),
    );
    expect(rows).toHaveLength(1);
    const r = rows[0]!;
    expect(r).toMatchObject({ name: "p2pnode-node-1", service: "node", replica: 1, role: "miner" });
    expect(r.ports).toEqual({
      gateway: "127.0.0.1:32801",
      chain: "127.0.0.1:32803",
      miner: "127.0.0.1:32804",
      dht: "127.0.0.1:32805",
      zkp: "127.0.0.1:32807",
      compute: "127.0.0.1:32808",
    });
    expect(r.listeners.p2p).toBe("127.0.0.1:32802");
    expect(r.listeners.dhtUdp).toBe("127.0.0.1:32806");
  });

  it("does not take a TCP publication of 7401 for the UDP DHT port", () => {
    const [r] = composeRows(ndjson([container({ service: "node", n: 1, ports: [[7401, 40000, "tcp"]] })]));
    expect(r!.listeners.dhtUdp).toBeUndefined();
  });

  it("keeps a specific host address and brackets IPv6 ones", () => {
    const c = container({ service: "node", n: 1 });
    c.Publishers = [
      { URL: "::1", TargetPort: 7200, PublishedPort: 41000, Protocol: "tcp" },
      { URL: "192.168.1.5", TargetPort: 7100, PublishedPort: 41001, Protocol: "tcp" },
    ];
    const [r] = composeRows(ndjson([c]));
    expect(r!.ports).toEqual({ chain: "[::1]:41000", gateway: "192.168.1.5:41001" });
  });

  it("skips ports that are exposed but not published (older compose lists them with port 0)", () => {
    const c = container({ service: "node", n: 1 });
    c.Publishers = [
      { URL: "", TargetPort: 7200, PublishedPort: 0, Protocol: "tcp" },
      { URL: "", TargetPort: 4222, PublishedPort: 0, Protocol: "tcp" },
    ];
    expect(composeRows(ndjson([c]))[0]!.ports).toEqual({});
  });

  it("keeps node and light services only, sorted node first then by replica", () => {
    const cs = [
      container({ service: "light", n: 1, role: "light" }),
      container({ service: "node", n: 10, role: "miner" }),
      container({ service: "explorer", n: 1 }),
      container({ service: "node", n: 2, role: "miner" }),
    ];
    expect(composeRows(ndjson(cs)).map((r) => `${r.service}-${r.replica}`)).toEqual([
      "node-2",
      "node-10",
      "light-1",
    ]);
  });

  it("falls back to the name suffix and service field when labels are missing", () => {
    const c = container({ service: "node", n: 3 });
    delete c.Labels;
    const [r] = composeRows(JSON.stringify([c]));
    expect(r).toMatchObject({ replica: 3, service: "node" });
    expect(r!.role).toBeUndefined();
  });

  it("ignores a role label that is not a role", () => {
    const [r] = composeRows(ndjson([container({ service: "node", n: 1, role: "admin" })]));
    expect(r!.role).toBeUndefined();
  });

  it("reports state and health as compose does, including no health check", () => {
    const cs = [
      container({ service: "node", n: 1, state: "exited", health: "" }),
      container({ service: "node", n: 2, state: "running", health: "starting" }),
    ];
    expect(composeRows(ndjson(cs)).map((r) => [r.state, r.health])).toEqual([
      ["exited", ""],
      ["running", "starting"],
    ]);
  });
});

describe("composeServiceUrls", () => {
  it("gives URLs only for services the role runs", () => {
    const [r] = composeRows(
      ndjson([container({ service: "light", n: 1, role: "light", ports: minerPorts })]),
    );
    expect(composeServiceUrls(r!)).toEqual({
      gateway: "http://127.0.0.1:32801",
      chain: "http://127.0.0.1:32803",
      dht: "http://127.0.0.1:32805",
    });
  });
});

describe("formatComposeTable", () => {
  it("prints one row per replica with its P2P, DHT and REST host ports", () => {
    const cs = [
      container({ service: "node", n: 1, role: "miner", ports: minerPorts, dual: false }),
      container({
        service: "light",
        n: 1,
        role: "light",
        health: "",
        ports: [
          [7100, 33001],
          [7200, 33002],
        ],
      }),
    ];
    const lines = formatComposeTable(composeRows(ndjson(cs))).split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^node\s+role\s+state\s+health\s+p2p\s+dht\s+REST \(gateway chain/);
    expect(lines[2]).toMatch(
      /^node-1\s+miner\s+running\s+healthy\s+:32802\s+:32806\/udp\s+:32801 :32803 :32804 :32805 :32807 :32808$/,
    );
    expect(lines[3]).toMatch(/^light-1\s+light\s+running\s+-\s+-\s+-\s+:33001 :33002 - - - -$/);
  });
});
