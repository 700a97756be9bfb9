import { execFileSync, spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { type ValidatorNetworkFiles, writeValidatorNetwork } from "@p2pnode/devnet";
import { NodeEnv } from "@p2pnode/kit";
import { parseGenesis, readGenesisFile } from "@p2pnode/rules";
import {
  API_LISTENER,
  consensusParams,
  LISTENERS,
  type ListenerName,
  Role,
  type ServiceName,
} from "@p2pnode/types";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { describe, expect, it } from "vitest";
import { readDockerfile } from "./lib/dockerfile.js";
import { containersOf, type K8sObject, kustomizeBuild, podSpec, strategicMerge } from "./lib/kustomize.js";
import {
  EXPOSED_LISTENERS,
  imagePathToRepo,
  isRecord,
  parseYamlDocuments,
  portName,
  readRepoFile,
  repoPath,
  SUPERVISOR_ONLY_ENV,
} from "./lib/repo.js";

type Rec = Record<string, unknown>;
const arr = (v: unknown): Rec[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const rec = (v: unknown): Rec => (isRecord(v) ? v : {});

const K8S = repoPath("infra", "k8s");
const VALIDATOR_OVERLAY = join(K8S, "overlays", "validator");
/** What `devnet genesis --out <overlay>/generated` wrote for the validator overlay's build below. */
let generated: ValidatorNetworkFiles;

/**
 * The validator overlay builds from keys and a genesis generated into its `generated/` folder,
 * which is never committed: build a copy of it next to a link to the real base, after generating
 * as its kustomization says (as many validators as replicas).
 */
function validatorOverlayCopy(): string {
  const root = mkdtempSync(join(tmpdir(), "p2pnode-k8s-validator-"));
  symlinkSync(join(K8S, "base"), join(root, "base"));
  const dir = join(root, "overlays", "validator");
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(VALIDATOR_OVERLAY).filter((x) => /\.ya?ml$/.test(x)))
    copyFileSync(join(VALIDATOR_OVERLAY, f), join(dir, f));
  const k = rec(parseYamlDocuments(readFileSync(join(dir, "kustomization.yaml"), "utf8"))[0]);
  const count = arr(k.replicas).find((r) => r.name === "node")?.count as number;
  generated = writeValidatorNetwork(join(dir, "generated"), { validators: count, chainId: "k8s-validators" });
  return dir;
}

const TARGETS = {
  base: join(K8S, "base"),
  dev: join(K8S, "overlays", "dev"),
  large: join(K8S, "overlays", "large"),
  validator: validatorOverlayCopy(),
} as const;

/** Offline schema validation: one kubernetes-models class per kind we ship; a new kind must be added. */
const MODELS: Record<string, { validate(o: unknown): void }> = {
  "apps/v1/StatefulSet": { validate: (o) => new StatefulSet(o as never).validate() },
  "v1/Service": { validate: (o) => new Service(o as never).validate() },
  "v1/ConfigMap": { validate: (o) => new ConfigMap(o as never).validate() },
  "v1/Secret": { validate: (o) => new Secret(o as never).validate() },
  "v1/Namespace": { validate: (o) => new Namespace(o as never).validate() },
  "networking.k8s.io/v1/NetworkPolicy": { validate: (o) => new NetworkPolicy(o as never).validate() },
  "policy/v1/PodDisruptionBudget": { validate: (o) => new PodDisruptionBudget(o as never).validate() },
};

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? yamlFiles(p) : /\.ya?ml$/.test(f) ? [p] : [];
  });
}

const built = Object.fromEntries(
  Object.entries(TARGETS).map(([k, dir]) => [k, kustomizeBuild(dir)]),
) as Record<keyof typeof TARGETS, K8sObject[]>;

function only(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

function theStatefulSet(objects: K8sObject[]): K8sObject {
  const sets = only(objects, "StatefulSet");
  expect(sets).toHaveLength(1);
  return sets[0]!;
}

function nodeContainer(objects: K8sObject[]): Rec {
  const c = containersOf(theStatefulSet(objects)).find((x) => x.name === "node");
  expect(c, "container named node").toBeDefined();
  return c!;
}

function matches(selector: unknown, labels: unknown): boolean {
  const s = rec(selector);
  const l = rec(labels);
  return Object.keys(s).length > 0 && Object.entries(s).every(([k, v]) => l[k] === v);
}

describe("every file under infra/k8s", () => {
  it.each(yamlFiles(K8S).map((f) => [relative(K8S, f), f]))("%s parses as YAML", (_rel, file) => {
    expect(parseYamlDocuments(readFileSync(file, "utf8")).length).toBeGreaterThan(0);
  });
});

describe.each(Object.keys(TARGETS) as (keyof typeof TARGETS)[])("kustomize build %s", (target) => {
  const objects = built[target];

  it("validates every object against the Kubernetes schemas", () => {
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) {
      const model = MODELS[`${o.apiVersion}/${o.kind}`];
      expect(model, `a validator for ${o.apiVersion} ${o.kind}`).toBeDefined();
      expect(() => model!.validate(o), `${o.kind}/${o.metadata.name}`).not.toThrow();
    }
  });

  it("has unique names per kind and namespace", () => {
    const ids = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("selects the StatefulSet's pods from every Service, the NetworkPolicy and the PDB", () => {
    const sts = theStatefulSet(objects);
    const spec = rec(sts.spec);
    const podLabels = rec(rec(spec.template).metadata).labels;
    expect(matches(rec(spec.selector).matchLabels, podLabels)).toBe(true);
    for (const svc of only(objects, "Service")) {
      expect(matches(rec(svc.spec).selector, podLabels), `Service ${svc.metadata.name}`).toBe(true);
    }
    for (const np of only(objects, "NetworkPolicy")) {
      expect(matches(rec(rec(np.spec).podSelector).matchLabels, podLabels)).toBe(true);
    }
    for (const pdb of only(objects, "PodDisruptionBudget")) {
      expect(matches(rec(rec(pdb.spec).selector).matchLabels, podLabels)).toBe(true);
    }
  });

  it("discovers peers through a headless Service that publishes not-ready pods", () => {
    const sts = theStatefulSet(objects);
    const serviceName = rec(sts.spec).serviceName;
    const headless = only(objects, "Service").find((s) => s.metadata.name === serviceName);
    expect(headless, `headless Service ${String(serviceName)}`).toBeDefined();
    const spec = rec(headless!.spec);
    expect(spec.clusterIP).toBe("None");
    expect(spec.publishNotReadyAddresses).toBe(true);
    const env = envOf(nodeContainer(objects));
    expect(env.P2PNODE_DNS_SEEDS).toBe(serviceName);
    // The seed Service carries the P2P and DHT listeners.
    const ports = arr(spec.ports).map((p) => `${p.port}/${String(p.protocol).toLowerCase()}`);
    expect(ports.sort()).toEqual([`${LISTENERS.p2p.port}/tcp`, `${LISTENERS.dhtUdp.port}/udp`].sort());
  });

  it("declares exactly the exposed listeners as container ports, named after them", () => {
    const ports = arr(nodeContainer(objects).ports);
    const want = EXPOSED_LISTENERS.map((l) => ({
      name: portName(l),
      containerPort: LISTENERS[l].port,
      protocol: LISTENERS[l].proto.toUpperCase(),
    }));
    expect(
      ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol })),
    ).toEqual(expect.arrayContaining(want));
    expect(ports).toHaveLength(want.length);
    for (const p of ports) expect(String(p.name).length).toBeLessThanOrEqual(15);
  });

  it("points every Service port at a container port with the same number", () => {
    const byName = new Map(arr(nodeContainer(objects).ports).map((p) => [p.name, p]));
    for (const svc of only(objects, "Service")) {
      for (const p of arr(rec(svc.spec).ports)) {
        const target = byName.get(p.targetPort);
        expect(target, `${svc.metadata.name} → ${String(p.targetPort)}`).toBeDefined();
        expect(p.port).toBe(target!.containerPort);
        expect(p.protocol ?? "TCP").toBe(target!.protocol);
      }
    }
  });

  it("has one ClusterIP Service per REST API with matching Prometheus annotations", () => {
    const services = Object.keys(API_LISTENER) as ServiceName[];
    for (const s of services) {
      const port = LISTENERS[API_LISTENER[s]].port;
      const svc = only(objects, "Service").find((x) => x.metadata.name === `node-${s}`);
      expect(svc, `Service node-${s}`).toBeDefined();
      expect(rec(svc!.spec).clusterIP).toBeUndefined();
      expect(arr(rec(svc!.spec).ports).map((p) => p.port)).toEqual([port]);
      const ann = rec(svc!.metadata.annotations);
      expect(ann["prometheus.io/scrape"]).toBe("true");
      expect(ann["prometheus.io/port"]).toBe(String(port));
      expect(ann["prometheus.io/path"]).toBe("/metrics");
    }
  });

  it("probes /health for liveness and the image's health check (every /ready) for readiness", () => {
    const c = nodeContainer(objects);
    const apiPortNames = new Set(Object.values(API_LISTENER).map((l) => portName(l)));
    for (const probe of ["startupProbe", "livenessProbe"]) {
      const get = rec(rec(c[probe]).httpGet);
      expect(get.path, probe).toBe("/health");
      expect(apiPortNames.has(String(get.port)), `${probe} port ${String(get.port)}`).toBe(true);
    }
    const readiness = rec(c.readinessProbe);
    const cmd = rec(readiness.exec).command;
    expect(cmd).toEqual(readDockerfile().healthcheck);
    // The script it runs is in the image (under /app) and in this checkout.
    const script = imagePathToRepo(String((cmd as string[])[1]));
    expect(script && statSync(script).isFile()).toBe(true);
  });

  it("runs as a non-root user with a read-only root filesystem and no capabilities", () => {
    const pod = podSpec(theStatefulSet(objects))!;
    const psc = rec(pod.securityContext);
    expect(psc.runAsNonRoot).toBe(true);
    expect(psc.runAsUser).toBe(readDockerfile().uid);
    expect(psc.runAsUser).not.toBe(0);
    expect(rec(psc.seccompProfile).type).toBe("RuntimeDefault");
    for (const c of containersOf(theStatefulSet(objects))) {
      const sc = rec(c.securityContext);
      expect(sc.allowPrivilegeEscalation).toBe(false);
      expect(sc.readOnlyRootFilesystem).toBe(true);
      expect(rec(sc.capabilities).drop).toEqual(["ALL"]);
      const res = rec(c.resources);
      for (const kind of ["requests", "limits"])
        for (const r of ["cpu", "memory"]) expect(rec(res[kind])[r], `${kind}.${r}`).toBeDefined();
    }
  });

  it("uses only documented environment variables, with values NodeEnv accepts", () => {
    const c = nodeContainer(objects);
    // Besides node variables, only helpers that a volume mount's subPathExpr expands.
    const expanded = arr(c.volumeMounts).flatMap((m) =>
      [...String(m.subPathExpr ?? "").matchAll(/\$\(([A-Z_][A-Z0-9_]*)\)/g)].map((x) => x[1]!),
    );
    const known = new Set([...Object.keys(NodeEnv.shape), ...SUPERVISOR_ONLY_ENV, ...expanded]);
    const env = envOf(c);
    for (const name of Object.keys(env)) expect(known.has(name), name).toBe(true);
    expect(env.P2PNODE_API_HOST).toBe("0.0.0.0");
    expect(Role.safeParse(env.P2PNODE_ROLE).success).toBe(true);
    const parsed = NodeEnv.safeParse(env);
    expect(parsed.success, parsed.error?.message).toBe(true);
    // The advertised address is the pod IP, from the downward API.
    const adv = arr(c.env).find((e) => e.name === "P2PNODE_ADVERTISE_HOST");
    expect(rec(rec(adv?.valueFrom).fieldRef).fieldPath).toBe("status.podIP");
  });

  it("keeps the data dir on the per-pod volume claim", () => {
    const sts = theStatefulSet(objects);
    const c = nodeContainer(objects);
    const dataDir = envOf(c).P2PNODE_DATA_DIR;
    const mount = arr(c.volumeMounts).find((m) => m.mountPath === dataDir);
    expect(mount, `a volume mounted at ${dataDir}`).toBeDefined();
    const claims = arr(rec(sts.spec).volumeClaimTemplates).map((t) => rec(t.metadata).name);
    expect(claims).toContain(mount!.name);
    // Every mount refers to a pod volume or a claim template.
    const volumes = new Set([...arr(podSpec(sts)!.volumes).map((v) => v.name), ...claims]);
    for (const m of arr(c.volumeMounts)) expect(volumes.has(m.name), String(m.name)).toBe(true);
  });

  it("admits only the P2P, DHT and REST ports", () => {
    for (const np of only(objects, "NetworkPolicy")) {
      const spec = rec(np.spec);
      expect(spec.policyTypes).toContain("Ingress");
      const ports = arr(spec.ingress).flatMap((r) => arr(r.ports));
      const got = ports.map((p) => `${p.port}/${String(p.protocol).toLowerCase()}`).sort();
      expect(got).toEqual(EXPOSED_LISTENERS.map((l) => `${LISTENERS[l].port}/${LISTENERS[l].proto}`).sort());
      expect(got).not.toContain(`${LISTENERS.nats.port}/tcp`);
    }
  });

  it("mounts the genesis it points P2PNODE_GENESIS at, or uses the image's", () => {
    const c = nodeContainer(objects);
    const genesis = envOf(c).P2PNODE_GENESIS;
    if (genesis === undefined) {
      // The image's default (Dockerfile ENV) is the baked-in genesis.
      expect(readDockerfile().env.P2PNODE_GENESIS).toBe("/app/infra/genesis/genesis.json");
      return;
    }
    const mount = arr(c.volumeMounts).find((m) => genesis.startsWith(`${String(m.mountPath)}/`));
    expect(mount, `a mount holding ${genesis}`).toBeDefined();
    const vol = arr(podSpec(theStatefulSet(objects))!.volumes).find((v) => v.name === mount!.name);
    const cmName = rec(vol?.configMap).name;
    const cm = only(objects, "ConfigMap").find((x) => x.metadata.name === cmName);
    expect(cm, `ConfigMap ${String(cmName)} in the build`).toBeDefined();
    const key = genesis.slice(String(mount!.mountPath).length + 1);
    const json = rec(cm!.data)[key];
    expect(typeof json).toBe("string");
    const parsed = parseGenesis(JSON.parse(json as string), key); // as the supervisor checks it
    expect(parsed.timestamp).toBeGreaterThan(Date.UTC(2020, 0, 1)); // milliseconds
  });
});

describe("overlays", () => {
  it("dev runs 3 replicas of the locally built image", () => {
    expect(rec(theStatefulSet(built.dev).spec).replicas).toBe(3);
    expect(nodeContainer(built.dev).image).toBe("p2pnode:local");
  });

  it("large runs more replicas in its own namespace with its own chain id", () => {
    const sts = theStatefulSet(built.large);
    expect(rec(sts.spec).replicas as number).toBeGreaterThan(3);
    expect(sts.metadata.namespace).toBe("p2pnode");
    expect(only(built.large, "Namespace").map((n) => n.metadata.name)).toEqual(["p2pnode"]);
    for (const o of built.large.filter((x) => x.kind !== "Namespace"))
      expect(o.metadata.namespace).toBe("p2pnode");
    const cm = only(built.large, "ConfigMap")[0]!;
    const chainId = JSON.parse(rec(cm.data)["genesis.json"] as string).chainId;
    const baked = readGenesisFile(repoPath("infra", "genesis", "genesis.json")).chainId;
    expect(chainId).not.toBe(baked);
  });

  it("validator runs each pod as the validator its name picks from the Secret, on the generated genesis", () => {
    const objects = built.validator;
    const sts = theStatefulSet(objects);
    const replicas = rec(sts.spec).replicas as number;
    expect(sts.metadata.namespace).toBe("p2pnode-validators");
    const c = nodeContainer(objects);
    const env = envOf(c);
    expect(env.P2PNODE_ROLE).toBe("validator");
    // The genesis: the generated one, listing one validator per replica.
    const cm = only(objects, "ConfigMap")[0]!;
    const genesis = parseGenesis(JSON.parse(rec(cm.data)["genesis.json"] as string), "genesis.json");
    const p = consensusParams(genesis);
    expect(p.kind === "dolev-strong" && p.validators).toEqual(generated.publicKeys);
    expect(generated.publicKeys).toHaveLength(replicas);
    // The key file: a read-only mount of the Secret at P2PNODE_IDENTITY_KEY_FILE, by pod name.
    const mount = arr(c.volumeMounts).find((m) => m.mountPath === env.P2PNODE_IDENTITY_KEY_FILE);
    expect(mount).toMatchObject({ subPathExpr: "$(POD_NAME).key", readOnly: true });
    const podName = arr(c.env).find((e) => e.name === "POD_NAME");
    expect(rec(rec(podName?.valueFrom).fieldRef).fieldPath).toBe("metadata.name");
    const vol = arr(podSpec(sts)!.volumes).find((v) => v.name === mount!.name);
    const secretRef = rec(vol?.secret);
    expect((secretRef.defaultMode as number) & 0o022).toBe(0); // nobody else may swap the key
    const secret = only(objects, "Secret").find((x) => x.metadata.name === secretRef.secretName);
    expect(secret, `Secret ${String(secretRef.secretName)} in the build`).toBeDefined();
    // Pod node-i (StatefulSet name + ordinal) finds node-i.key: the key validator i was generated with.
    const data = rec(secret!.data);
    expect(Object.keys(data).sort()).toEqual(
      Array.from({ length: replicas }, (_, i) => `${sts.metadata.name}-${i}.key`).sort(),
    );
    generated.keyFiles.forEach((file, i) => {
      const key = Buffer.from(String(data[`${sts.metadata.name}-${i}.key`]), "base64").toString("utf8");
      expect(key).toBe(readFileSync(file, "utf8"));
    });
    // The pods run as the fsGroup that may read the Secret's files.
    expect(rec(podSpec(sts)!.securityContext).fsGroup).toBe(readDockerfile().uid);
  });

  it("validator: keys and genesis are generated into a git-ignored folder, never committed", () => {
    expect(readRepoFile(".gitignore").split("\n")).toContain("infra/k8s/overlays/validator/generated/");
  });

  it("every image is pinned to a tag", () => {
    for (const objects of Object.values(built))
      for (const c of objects.flatMap(containersOf)) expect(String(c.image)).toMatch(/:[A-Za-z0-9_][\w.-]*$/);
  });
});

describe("the test's kustomize build itself", () => {
  it("merges named lists and replaces plain ones, like a strategic merge patch", () => {
    const base = { containers: [{ name: "a", env: [{ name: "X", value: "1" }], args: ["x"] }] };
    const patch = {
      containers: [{ name: "a", env: [{ name: "Y", value: "2" }], args: ["y"] }, { name: "b" }],
    };
    expect(strategicMerge(base, patch, "")).toEqual({
      containers: [
        {
          name: "a",
          env: [
            { name: "X", value: "1" },
            { name: "Y", value: "2" },
          ],
          args: ["y"],
        },
        { name: "b" },
      ],
    });
  });

  it("rejects a patch that matches nothing and a field it does not implement", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "kust-"));
    writeFileSync(join(dir, "kustomization.yaml"), "kind: Kustomization\nresources: [../nope]\n");
    expect(() => kustomizeBuild(dir)).toThrow(/does not exist/);
    writeFileSync(join(dir, "kustomization.yaml"), "kind: Kustomization\ncommonLabels: {a: b}\n");
    expect(() => kustomizeBuild(dir)).toThrow(/not supported/);
    writeFileSync(join(dir, "kustomization.yaml"), "kind: Kustomization\npatches: [{path: p.yaml}]\n");
    writeFileSync(join(dir, "p.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n");
    expect(() => kustomizeBuild(dir)).toThrow(/matches nothing/);
  });

  it("catches a schema violation (the validator is not a no-op)", () => {
    const svc = structuredClone(only(built.base, "Service")[0]!);
    (rec(svc.spec).ports as Rec[])[0]!.port = "seven-thousand";
    expect(() => MODELS["v1/Service"]!.validate(svc)).toThrow();
  });
});

/** Literal env values of a container; valueFrom entries get a stand-in that NodeEnv accepts. */
function envOf(c: Rec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of arr(c.env)) {
    if (typeof e.value === "string") out[String(e.name)] = e.value;
    else if (isRecord(e.valueFrom))
      out[String(e.name)] = e.name === "P2PNODE_API_TOKEN" ? "x".repeat(32) : "10.0.0.1";
  }
  return out;
}

// Port names in the manifests are derived from the listener table; keep the helper honest.
it("derives Kubernetes port names from listener names", () => {
  const names: Partial<Record<ListenerName, string>> = {
    gatewayApi: "gateway-api",
    dhtUdp: "dht-udp",
    p2p: "p2p",
  };
  for (const [l, n] of Object.entries(names)) expect(portName(l as ListenerName)).toBe(n);
});

// kubectl's own kustomize, when installed: the real build must agree with the one above.
const kubectl = spawnSync("kubectl", ["version", "--client"], { stdio: "ignore" }).status === 0;

describe.skipIf(!kubectl)("kubectl kustomize (when installed)", () => {
  const unhashed = (o: K8sObject) =>
    `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, "")}`;

  it.each(Object.keys(TARGETS) as (keyof typeof TARGETS)[])("builds %s to the same objects", (target) => {
    const out = execFileSync("kubectl", ["kustomize", TARGETS[target]], { stdio: "pipe" }).toString();
    const real = parseYamlDocuments(out) as K8sObject[];
    expect(real.map(unhashed).sort()).toEqual(built[target].map(unhashed).sort());
    // Strategic merge puts patched list items first; the order carries no meaning here.
    const by = (key: string) => (a: Rec, b: Rec) => String(a[key]).localeCompare(String(b[key]));
    const env = (objects: K8sObject[]) => arr(nodeContainer(objects).env).sort(by("name"));
    expect(env(real)).toEqual(env(built[target]));
    const mounts = (objects: K8sObject[]) => arr(nodeContainer(objects).volumeMounts).sort(by("mountPath"));
    expect(mounts(real)).toEqual(mounts(built[target]));
  });
});
