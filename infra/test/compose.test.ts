import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { NodeEnv } from "@p2pnode/kit";
import { API_LISTENER, type ListenerName, ROLE_SERVICES, Role } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import { compose, environment, interpolate, parsePort, rec, services } from "./lib/compose.js";
import { readDockerfile } from "./lib/dockerfile.js";
import {
  imagePathToRepo,
  isRecord,
  parseYaml,
  portSpec,
  ROOT,
  repoPath,
  SUPERVISOR_ONLY_ENV,
} from "./lib/repo.js";

type Rec = Record<string, unknown>;

/** The node services of docker-compose.yml: each must scale with `--scale <name>=N`. */
const NODE_SERVICES = ["node", "light"] as const;

describe("docker-compose.yml", () => {
  it("parses and declares the node services", () => {
    for (const s of NODE_SERVICES) expect(isRecord(services[s]), s).toBe(true);
    // `version` is obsolete in the Compose spec; leaving it out keeps Compose v2 quiet.
    expect(compose.version).toBeUndefined();
  });

  it.each(NODE_SERVICES)("%s scales: no container_name, no fixed host port", (name) => {
    const svc = rec(services[name]);
    expect(svc.container_name).toBeUndefined();
    expect(svc.hostname).toBeUndefined();
    for (const p of (svc.ports as unknown[]) ?? []) {
      const { host } = parsePort(p);
      // Ephemeral, or a range that several replicas can share.
      expect(host === undefined || /^\d+-\d+$/.test(host), `host port ${host}`).toBe(true);
    }
  });

  it.each(NODE_SERVICES)("%s publishes exactly the listeners of its role, and never NATS", (name) => {
    const svc = rec(services[name]);
    const role = Role.parse(environment(svc).P2PNODE_ROLE);
    const want: ListenerName[] = ["p2p", "dhtUdp", ...ROLE_SERVICES[role].map((s) => API_LISTENER[s])];
    const got = ((svc.ports as unknown[]) ?? []).map((p) => parsePort(p).container);
    expect([...got].sort()).toEqual(want.map(portSpec).sort());
  });

  it.each(NODE_SERVICES)("%s has the image's health check, within what Compose 1.29 accepts", (name) => {
    const hc = rec(rec(services[name]).healthcheck);
    expect(hc.test).toEqual(["CMD", ...readDockerfile().healthcheck]);
    for (const k of ["interval", "timeout", "retries", "start_period"]) expect(hc[k], k).toBeDefined();
    expect(hc.start_interval).toBeUndefined();
    expect(hc.disable).toBeUndefined();
  });

  it.each(NODE_SERVICES)("%s uses only documented variables, with values NodeEnv accepts", (name) => {
    const env = environment(rec(services[name]));
    const known = new Set([...Object.keys(NodeEnv.shape), ...SUPERVISOR_ONLY_ENV]);
    for (const k of Object.keys(env)) expect(known.has(k), k).toBe(true);
    const parsed = NodeEnv.safeParse(env);
    expect(parsed.success, parsed.error?.message).toBe(true);
    expect(env.P2PNODE_API_HOST).toBe("0.0.0.0");
    // Docker's DNS answers a service name with every replica: the seeds are node services.
    const seeds = env.P2PNODE_DNS_SEEDS?.split(",") ?? [];
    expect(seeds.length).toBeGreaterThan(0);
    for (const s of seeds) expect(NODE_SERVICES as readonly string[]).toContain(s);
    // The genesis is the baked-in one, which exists in the image (under /app).
    const genesis = imagePathToRepo(env.P2PNODE_GENESIS ?? "");
    expect(genesis && existsSync(genesis)).toBe(true);
  });

  it.each(NODE_SERVICES)("%s keeps its data in a per-replica (anonymous) volume", (name) => {
    const svc = rec(services[name]);
    const dataDir = environment(svc).P2PNODE_DATA_DIR;
    // A named volume (`name:/data`) would be shared by every replica: one identity for all.
    expect(svc.volumes).toContain(dataDir);
  });

  it.each(NODE_SERVICES)("%s labels its role so `devnet status --compose` can show it", (name) => {
    const svc = rec(services[name]);
    expect(interpolate(String(rec(svc.labels)["p2pnode.role"]))).toBe(environment(svc).P2PNODE_ROLE);
  });

  it.each(NODE_SERVICES)("%s builds the one image and rotates its logs", (name) => {
    const svc = rec(services[name]);
    const build = rec(svc.build);
    expect(existsSync(repoPath(String(build.context), String(build.dockerfile)))).toBe(true);
    expect(svc.image).toBe(rec(services.node).image);
    const logging = rec(svc.logging);
    expect(rec(logging.options)["max-size"]).toBeDefined();
    expect(rec(logging.options)["max-file"]).toBeDefined();
  });

  it("starts a plain `docker compose up` with node only (light is behind a profile)", () => {
    expect(rec(services.node).profiles).toBeUndefined();
    expect(rec(services.light).profiles).toEqual(["light"]);
  });

  it("substitutes variables as Compose does", () => {
    // Compose's ${...} syntax is written as "$" + "{" so it does not read as a broken template.
    const v = (s: string) => s.replaceAll("%{", "${");
    expect(interpolate(v("%{A:-x}"), { A: "" })).toBe("x");
    expect(interpolate(v("%{A-x}"), { A: "" })).toBe("");
    expect(interpolate(v("%{A:-x}/$B/$$C"), { A: "a", B: "b" })).toBe("a/b/$C");
  });

  it("tells ports apart", () => {
    expect(parsePort("7200")).toEqual({ container: "7200/tcp", host: undefined });
    expect(parsePort("7401/udp")).toEqual({ container: "7401/udp", host: undefined });
    expect(parsePort("17200-17299:7200")).toEqual({ container: "7200/tcp", host: "17200-17299" });
    expect(parsePort("127.0.0.1:7200:7200")).toEqual({ container: "7200/tcp", host: "7200" });
    expect(parsePort({ target: 7401, protocol: "udp", published: 8000 })).toEqual({
      container: "7401/udp",
      host: "8000",
    });
  });
});

// Debian's docker-compose 1.29 checks the file against its schema without a Docker engine.
const dockerCompose = spawnSync("docker-compose", ["version"], { stdio: "ignore" }).status === 0;

describe.skipIf(!dockerCompose)("docker-compose 1.29 (when installed)", () => {
  it("accepts the file: docker-compose config -q", () => {
    expect(() =>
      execFileSync("docker-compose", ["-f", "docker-compose.yml", "config", "-q"], {
        cwd: ROOT,
        stdio: "pipe",
      }),
    ).not.toThrow();
  });

  // Compose's own reading of anchors, merge keys and ${VAR:-default} must equal this test's.
  it.each(NODE_SERVICES)("resolves %s to the same environment and ports as this test", (name) => {
    const out = execFileSync("docker-compose", ["-f", "docker-compose.yml", "--profile", "light", "config"], {
      cwd: ROOT,
      stdio: "pipe",
      env: { PATH: process.env.PATH ?? "" },
    }).toString();
    const resolved = rec(rec(rec(parseYaml(out)).services)[name]);
    const ours = rec(services[name]);
    expect(environment(resolved)).toEqual(environment(ours));
    const ports = (svc: Rec) =>
      ((svc.ports as unknown[]) ?? []).map(parsePort).sort((a, b) => a.container.localeCompare(b.container));
    expect(ports(resolved)).toEqual(ports(ours));
    expect(resolved.healthcheck && rec(resolved.healthcheck).test).toEqual(rec(ours.healthcheck).test);
  });
});
