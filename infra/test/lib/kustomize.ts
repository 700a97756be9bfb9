import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { isRecord, parseYaml, parseYamlDocuments } from "./repo.js";

/**
 * A small `kustomize build` for the features infra/k8s uses: resources (files and directories),
 * namespace, images, replicas, configMapGenerator and secretGenerator (files as `path` or
 * `key=path`, with the hash suffix and the name references it renames) and strategic-merge patches. No kustomize or kubectl binary exists in CI; a
 * kustomization field this does not implement fails the build instead of being ignored.
 */

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

const SUPPORTED_FIELDS = new Set([
  "apiVersion",
  "kind",
  "resources",
  "namespace",
  "images",
  "replicas",
  "patches",
  "configMapGenerator",
  "secretGenerator",
]);

/** Kinds that are not namespaced (the namespace transformer leaves them alone). */
const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume"]);

/** Strategic-merge keys of the lists that appear in our patches (from the Kubernetes API). */
const MERGE_KEYS: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
};

export class KustomizeError extends Error {
  constructor(dir: string, message: string) {
    super(`${dir}: ${message}`);
    this.name = "KustomizeError";
  }
}

export function kustomizeBuild(dir: string): K8sObject[] {
  const file = join(dir, "kustomization.yaml");
  if (!existsSync(file)) throw new KustomizeError(dir, "no kustomization.yaml");
  const k = parseYaml(readFileSync(file, "utf8"));
  if (!isRecord(k)) throw new KustomizeError(dir, "kustomization.yaml is not a mapping");
  for (const key of Object.keys(k)) {
    if (!SUPPORTED_FIELDS.has(key))
      throw new KustomizeError(dir, `field ${key} is not supported by this build`);
  }
  if (k.kind !== "Kustomization") throw new KustomizeError(dir, "kind must be Kustomization");

  const objects: K8sObject[] = [];
  for (const r of list(k.resources)) objects.push(...loadResource(dir, String(r)));
  const renames = new Map<string, string>();
  for (const g of list(k.configMapGenerator)) objects.push(generateConfigMap(dir, g, renames));
  const secretRenames = new Map<string, string>();
  for (const g of list(k.secretGenerator)) objects.push(generateSecret(dir, g, secretRenames));
  for (const p of list(k.patches)) applyPatch(dir, objects, p);
  if (typeof k.namespace === "string") {
    for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
  }
  for (const img of list(k.images)) setImage(dir, objects, img);
  for (const r of list(k.replicas)) setReplicas(dir, objects, r);
  renameConfigMapRefs(objects, renames);
  renameSecretRefs(objects, secretRenames);
  return objects;
}

function list(v: unknown): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new Error(`expected a list, got ${JSON.stringify(v)}`);
  return v;
}

function loadResource(dir: string, ref: string): K8sObject[] {
  const path = resolve(dir, ref);
  if (!existsSync(path)) throw new KustomizeError(dir, `resource ${ref} does not exist`);
  if (statSync(path).isDirectory()) return kustomizeBuild(path);
  return parseYamlDocuments(readFileSync(path, "utf8")).map((d) => asObject(dir, d, ref));
}

function asObject(dir: string, d: unknown, where: string): K8sObject {
  if (!isRecord(d) || typeof d.kind !== "string" || typeof d.apiVersion !== "string")
    throw new KustomizeError(dir, `${where}: a document without apiVersion/kind`);
  if (!isRecord(d.metadata) || typeof d.metadata.name !== "string")
    throw new KustomizeError(dir, `${where}: ${d.kind} without metadata.name`);
  return d as K8sObject;
}

function generateConfigMap(dir: string, g: unknown, renames: Map<string, string>): K8sObject {
  if (!isRecord(g) || typeof g.name !== "string")
    throw new KustomizeError(dir, "configMapGenerator needs a name");
  const data = generatorFiles(dir, g, (b) => b.toString("utf8"));
  const name = hashedName(g.name, data);
  renames.set(g.name, name);
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data };
}

function generateSecret(dir: string, g: unknown, renames: Map<string, string>): K8sObject {
  if (!isRecord(g) || typeof g.name !== "string")
    throw new KustomizeError(dir, "secretGenerator needs a name");
  const data = generatorFiles(dir, g, (b) => b.toString("base64"));
  const name = hashedName(g.name, data);
  renames.set(g.name, name);
  return { apiVersion: "v1", kind: "Secret", metadata: { name }, type: "Opaque", data };
}

/** A generator's `files`: `path` (key = file name) or `key=path`, read relative to the kustomization. */
function generatorFiles(
  dir: string,
  g: Record<string, unknown>,
  encode: (b: Buffer) => string,
): Record<string, string> {
  const data: Record<string, string> = {};
  for (const f of list(g.files)) {
    const entry = String(f);
    const eq = entry.indexOf("=");
    const [key, rel] = eq < 0 ? [basename(entry), entry] : [entry.slice(0, eq), entry.slice(eq + 1)];
    const path = resolve(dir, rel);
    if (!existsSync(path)) throw new KustomizeError(dir, `${String(g.name)}: file ${rel} does not exist`);
    if (key in data) throw new KustomizeError(dir, `${String(g.name)}: key ${key} twice`);
    data[key] = encode(readFileSync(path));
  }
  return data;
}

/** kustomize appends a content hash so that a changed ConfigMap or Secret rolls the pods that use it. */
function hashedName(name: string, data: Record<string, string>): string {
  return `${name}-${createHash("sha256").update(JSON.stringify(data)).digest("hex").slice(0, 10)}`;
}

function applyPatch(dir: string, objects: K8sObject[], p: unknown): void {
  if (!isRecord(p)) throw new KustomizeError(dir, "a patch must be a mapping");
  if (p.target !== undefined) throw new KustomizeError(dir, "patch targets are not supported by this build");
  const text =
    typeof p.path === "string"
      ? readPatchFile(dir, p.path)
      : typeof p.patch === "string"
        ? p.patch
        : undefined;
  if (text === undefined) throw new KustomizeError(dir, "a patch needs path or patch");
  for (const doc of parseYamlDocuments(text)) {
    const patch = asObject(dir, doc, String(p.path ?? "inline patch"));
    const target = objects.find((o) => o.kind === patch.kind && o.metadata.name === patch.metadata.name);
    if (!target)
      throw new KustomizeError(dir, `patch for ${patch.kind}/${patch.metadata.name} matches nothing`);
    Object.assign(target, strategicMerge(target, patch, ""));
  }
}

function readPatchFile(dir: string, path: string): string {
  const full = resolve(dir, path);
  if (!existsSync(full)) throw new KustomizeError(dir, `patch ${path} does not exist`);
  return readFileSync(full, "utf8");
}

/** Strategic merge: maps merge, lists with a merge key merge by it, other lists are replaced. */
export function strategicMerge(base: unknown, patch: unknown, key: string): unknown {
  if (isRecord(patch)) {
    if (Object.keys(patch).some((k) => k.startsWith("$")))
      throw new Error(`${key}: patch directives are not supported`);
    const out: Record<string, unknown> = isRecord(base) ? { ...base } : {};
    for (const [k, v] of Object.entries(patch)) out[k] = strategicMerge(out[k], v, k);
    return out;
  }
  const mergeKey = MERGE_KEYS[key];
  if (Array.isArray(patch) && Array.isArray(base) && mergeKey) {
    const out = [...base];
    for (const item of patch) {
      const id = isRecord(item) ? item[mergeKey] : undefined;
      const i = out.findIndex((b) => isRecord(b) && id !== undefined && b[mergeKey] === id);
      if (i >= 0) out[i] = strategicMerge(out[i], item, "");
      else out.push(item);
    }
    return out;
  }
  return patch;
}

/** The pod spec inside a workload, if any. */
export function podSpec(o: K8sObject): Record<string, unknown> | undefined {
  const spec = o.spec;
  if (!isRecord(spec) || !isRecord(spec.template) || !isRecord(spec.template.spec)) return undefined;
  return spec.template.spec;
}

export function containersOf(o: K8sObject): Record<string, unknown>[] {
  const spec = podSpec(o);
  if (!spec) return [];
  return [...list(spec.initContainers), ...list(spec.containers)].filter(isRecord);
}

function setImage(dir: string, objects: K8sObject[], img: unknown): void {
  if (!isRecord(img) || typeof img.name !== "string")
    throw new KustomizeError(dir, "images entries need a name");
  for (const c of objects.flatMap(containersOf)) {
    const image = String(c.image ?? "");
    const m = /^(.*?)(?::([^:/@]+))?$/.exec(image);
    if (!m || m[1] !== img.name) continue;
    const name = typeof img.newName === "string" ? img.newName : m[1];
    const tag = img.newTag !== undefined ? String(img.newTag) : m[2];
    c.image = tag === undefined ? name : `${name}:${tag}`;
  }
}

function setReplicas(dir: string, objects: K8sObject[], r: unknown): void {
  if (!isRecord(r) || typeof r.name !== "string" || typeof r.count !== "number")
    throw new KustomizeError(dir, "replicas entries need name and count");
  const targets = objects.filter(
    (o) => ["Deployment", "StatefulSet", "ReplicaSet"].includes(o.kind) && o.metadata.name === r.name,
  );
  if (targets.length === 0) throw new KustomizeError(dir, `replicas: no workload named ${r.name}`);
  for (const o of targets) (o.spec as Record<string, unknown>).replicas = r.count;
}

/** Points configMap volumes and configMapKeyRef/configMapRef at the generated (hashed) names. */
function renameConfigMapRefs(objects: K8sObject[], renames: Map<string, string>): void {
  const fix = (ref: unknown) => {
    if (isRecord(ref) && typeof ref.name === "string" && renames.has(ref.name))
      ref.name = renames.get(ref.name);
  };
  for (const o of objects) {
    const spec = podSpec(o);
    if (!spec) continue;
    for (const v of list(spec.volumes)) if (isRecord(v)) fix(v.configMap);
    for (const c of containersOf(o)) {
      for (const e of list(c.env)) if (isRecord(e) && isRecord(e.valueFrom)) fix(e.valueFrom.configMapKeyRef);
      for (const e of list(c.envFrom)) if (isRecord(e)) fix(e.configMapRef);
    }
  }
}

/** Points secret volumes and secretKeyRef/secretRef at the generated (hashed) names. */
function renameSecretRefs(objects: K8sObject[], renames: Map<string, string>): void {
  for (const o of objects) {
    const spec = podSpec(o);
    if (!spec) continue;
    for (const v of list(spec.volumes)) {
      if (isRecord(v) && isRecord(v.secret) && typeof v.secret.secretName === "string") {
        v.secret.secretName = renames.get(v.secret.secretName) ?? v.secret.secretName;
      }
    }
    for (const c of containersOf(o)) {
      for (const e of list(c.env)) {
        const ref = isRecord(e) && isRecord(e.valueFrom) ? e.valueFrom.secretKeyRef : undefined;
        if (isRecord(ref) && typeof ref.name === "string") ref.name = renames.get(ref.name) ?? ref.name;
      }
      for (const e of list(c.envFrom)) {
        if (isRecord(e) && isRecord(e.secretRef) && typeof e.secretRef.name === "string")
          e.secretRef.name = renames.get(e.secretRef.name) ?? e.secretRef.name;
      }
    }
  }
}
