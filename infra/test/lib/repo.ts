import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LISTENERS, type ListenerName } from "@p2pnode/types";
import { parse, parseAllDocuments } from "yaml";

/** The repository root (infra/test/lib → ../../..). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const repoPath = (...parts: string[]) => join(ROOT, ...parts);
export const readRepoFile = (...parts: string[]) => readFileSync(repoPath(...parts), "utf8");

/** Where the image puts the workspace (Dockerfile WORKDIR / COPY target). */
export const IMAGE_APP_DIR = "/app";

/** A path inside the image under /app, as a path in this checkout (undefined when outside /app). */
export function imagePathToRepo(p: string): string | undefined {
  return p.startsWith(`${IMAGE_APP_DIR}/`) ? repoPath(p.slice(IMAGE_APP_DIR.length + 1)) : undefined;
}

/** One YAML document; merge keys (`<<: *anchor`) on, as Compose reads them. */
export function parseYaml(text: string): unknown {
  return parse(text, { merge: true, strict: true, uniqueKeys: true });
}

/** Every non-empty document of a multi-document YAML file; a syntax error throws. */
export function parseYamlDocuments(text: string): unknown[] {
  const docs = parseAllDocuments(text, { merge: true, strict: true, uniqueKeys: true });
  if (!Array.isArray(docs)) throw new Error("empty YAML stream");
  return docs
    .map((d) => {
      if (d.errors.length > 0) throw new Error(d.errors.map((e) => e.message).join("; "));
      return d.toJS() as unknown;
    })
    .filter((d) => d !== null && d !== undefined);
}

/** Listeners a node exposes to other machines: all but NATS, which stays on loopback. */
export const EXPOSED_LISTENERS = (Object.keys(LISTENERS) as ListenerName[]).filter((l) => l !== "nats");

/** `gatewayApi` → `gateway-api`, `dhtUdp` → `dht-udp`: the Kubernetes port name of a listener. */
export function portName(l: ListenerName): string {
  return l.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `7401/udp`, `7100/tcp`: the listener's container port as Docker writes it. */
export function portSpec(l: ListenerName): string {
  return `${LISTENERS[l].port}/${LISTENERS[l].proto}`;
}

/** Variables the supervisor itself reads outside NodeEnv (packages/cli): where its binaries are. */
export const SUPERVISOR_ONLY_ENV = ["P2PNODE_NATS_SERVER_BIN", "P2PNODE_SERVICES_DIR"] as const;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
