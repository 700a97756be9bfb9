import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { VALIDATOR_GENESIS_FILE, validatorKeyFile, writeValidatorNetwork } from "@p2pnode/devnet";
import { NodeEnv } from "@p2pnode/kit";
import { readGenesisFile } from "@p2pnode/rules";
import { API_LISTENER, consensusParams, type ListenerName, ROLE_SERVICES, Role } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import { environment, interpolate, parsePort, rec, services } from "./lib/compose.js";
import { readDockerfile } from "./lib/dockerfile.js";
import { parseYaml, portSpec, ROOT, readRepoFile, SUPERVISOR_ONLY_ENV } from "./lib/repo.js";

/*
 * The `validator` profile of docker-compose.yml: a dolev-strong network whose validators each run
 * with the key the genesis lists at their index. Keys and genesis come from `devnet genesis` into
 * infra/validators (git-ignored); these checks tie the file to what that command writes.
 */

type Rec = Record<string, unknown>;
const VALIDATORS = Object.keys(services).filter((n) => /^validator-\d+$/.test(n));
const PROFILE_SERVICES = [...VALIDATORS, "follower"];
/** Where `devnet genesis --out` writes for Compose (relative to the compose file). */
const KEY_DIR = "./infra/validators";

interface Bind {
  source: string;
  target: string;
  readOnly: boolean;
}
function binds(svc: Rec): Bind[] {
  return ((svc.volumes as unknown[]) ?? []).flatMap((v) => {
    const r = rec(v);
    return r.type === "bind"
      ? [{ source: String(r.source), target: String(r.target), readOnly: r.read_only === true }]
      : [];
  });
}
const bindAt = (svc: Rec, target: string | undefined) => binds(svc).find((b) => b.target === target);

describe("docker-compose.yml, profile validator", () => {
  it("has validators validator-0… in order and a follower, all behind the profile", () => {
    expect(VALIDATORS.length).toBeGreaterThanOrEqual(4);
    expect(VALIDATORS).toEqual(VALIDATORS.map((_, i) => `validator-${i}`));
    for (const name of PROFILE_SERVICES) {
      const svc = rec(services[name]);
      expect(svc.profiles, name).toEqual(["validator"]);
      expect(svc.container_name).toBeUndefined();
      expect(svc.image).toBe(rec(services.node).image);
      expect(rec(svc.healthcheck).test).toEqual(["CMD", ...readDockerfile().healthcheck]);
      // Per-container data (a named volume would be shared), host ports ephemeral.
      expect(svc.volumes).toContain(environment(svc).P2PNODE_DATA_DIR);
      for (const p of (svc.ports as unknown[]) ?? []) expect(parsePort(p).host).toBeUndefined();
    }
  });

  it.each(PROFILE_SERVICES)("%s uses only NodeEnv variables, with values it accepts", (name) => {
    const svc = rec(services[name]);
    const env = environment(svc);
    const known = new Set([...Object.keys(NodeEnv.shape), ...SUPERVISOR_ONLY_ENV]);
    for (const k of Object.keys(env)) expect(known.has(k), k).toBe(true);
    const parsed = NodeEnv.safeParse(env);
    expect(parsed.success, parsed.error?.message).toBe(true);
    expect(env.P2PNODE_API_HOST).toBe("0.0.0.0");
    expect(interpolate(String(rec(svc.labels)["p2pnode.role"]))).toBe(env.P2PNODE_ROLE);
    // Publishes exactly its role's listeners.
    const role = Role.parse(env.P2PNODE_ROLE);
    const want: ListenerName[] = ["p2p", "dhtUdp", ...ROLE_SERVICES[role].map((s) => API_LISTENER[s])];
    const got = ((svc.ports as unknown[]) ?? []).map((p) => parsePort(p).container);
    expect([...got].sort()).toEqual(want.map(portSpec).sort());
    // Finds the validators by their service names.
    expect(env.P2PNODE_DNS_SEEDS?.split(",")).toEqual(VALIDATORS);
    // The generated genesis, mounted read-only where P2PNODE_GENESIS points.
    expect(bindAt(svc, env.P2PNODE_GENESIS)).toEqual({
      source: `${KEY_DIR}/${VALIDATOR_GENESIS_FILE}`,
      target: env.P2PNODE_GENESIS,
      readOnly: true,
    });
  });

  it.each(VALIDATORS.map((name, i) => [name, i] as const))(
    "%s runs as validator %i with its own key from the generated folder",
    (name, i) => {
      const svc = rec(services[name]);
      const env = environment(svc);
      expect(env.P2PNODE_ROLE).toBe("validator");
      expect(bindAt(svc, env.P2PNODE_IDENTITY_KEY_FILE)).toEqual({
        source: `${KEY_DIR}/${validatorKeyFile(i)}`,
        target: env.P2PNODE_IDENTITY_KEY_FILE,
        readOnly: true,
      });
    },
  );

  it("runs the follower as a full node that brings no key of its own", () => {
    const env = environment(rec(services.follower));
    expect(env.P2PNODE_ROLE).toBe("full");
    expect(env.P2PNODE_IDENTITY_KEY_FILE).toBeUndefined();
  });

  it("mounts exactly what `devnet genesis --validators N` writes: one key per validator service", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "p2pnode-compose-validators-")), "validators");
    const files = writeValidatorNetwork(dir, { validators: VALIDATORS.length, chainId: "compose-test" });
    const mounted = new Set(
      PROFILE_SERVICES.flatMap((n) => binds(rec(services[n]))).map((b) => basename(b.source)),
    );
    expect([...mounted].sort()).toEqual(
      [files.genesisFile, ...files.keyFiles].map((f) => basename(f)).sort(),
    );
    const g = readGenesisFile(files.genesisFile); // as the supervisor reads it
    const p = consensusParams(g);
    expect(p.kind).toBe("dolev-strong");
    if (p.kind === "dolev-strong") {
      expect(p.validators).toEqual(files.publicKeys);
      // With f = ⌊(n − 1)/2⌋ one validator can be down and slots still decide.
      expect(p.f).toBeGreaterThanOrEqual(1);
    }
  });

  it("keeps the generated keys out of git", () => {
    const ignored = readRepoFile(".gitignore").split("\n");
    expect(ignored).toContain(`${KEY_DIR.slice(2)}/`);
  });
});

const dockerCompose = spawnSync("docker-compose", ["version"], { stdio: "ignore" }).status === 0;

describe.skipIf(!dockerCompose)("docker-compose 1.29 (when installed), profile validator", () => {
  it.each(PROFILE_SERVICES)("resolves %s to the same environment, ports and mounts as this test", (name) => {
    const out = execFileSync(
      "docker-compose",
      ["-f", "docker-compose.yml", "--profile", "validator", "config"],
      { cwd: ROOT, stdio: "pipe", env: { PATH: process.env.PATH ?? "" } },
    ).toString();
    const resolved = rec(rec(rec(parseYaml(out)).services)[name]);
    const ours = rec(services[name]);
    expect(environment(resolved)).toEqual(environment(ours));
    const ports = (svc: Rec) =>
      ((svc.ports as unknown[]) ?? []).map(parsePort).sort((a, b) => a.container.localeCompare(b.container));
    expect(ports(resolved)).toEqual(ports(ours));
    // Compose resolves bind sources against the project folder.
    const abs = (b: Bind) => ({ ...b, source: join(ROOT, b.source) });
    expect(binds(resolved)).toEqual(binds(ours).map(abs));
  });
});
