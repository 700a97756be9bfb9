#!/usr/bin/env node
// @ts-check
/**
 * Container health check (Docker HEALTHCHECK, compose healthcheck, Kubernetes readiness probe):
 * exit 0 when every service that the node's role runs answers 200 on GET /ready, else print one
 * line naming the services that are not ready and exit 1.
 *
 * It imports only @p2pnode/types (zod), not @p2pnode/kit: it runs every few seconds, and loading
 * fastify, nats and SQLite for it would cost more than the check itself.
 */
import { pathToFileURL } from "node:url";
import { API_LISTENER, DEFAULT_PORTS, LISTENERS, portsFromBase, ROLE_SERVICES, Role } from "@p2pnode/types";

/**
 * The /ready URL of each service of the role, with the port precedence of kit's toNodeConfig:
 * a port variable beats P2PNODE_PORT_BASE, which beats the container defaults.
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ service: string, url: string }[]}
 */
export function readyUrls(env) {
  const role = Role.parse(env.P2PNODE_ROLE ?? "full");
  const base = env.P2PNODE_PORT_BASE ? portsFromBase(Number(env.P2PNODE_PORT_BASE)) : DEFAULT_PORTS;
  // The APIs listen on P2PNODE_API_HOST; a wildcard is reached over loopback from inside.
  const apiHost = env.P2PNODE_API_HOST ?? "127.0.0.1";
  const host = apiHost === "0.0.0.0" || apiHost === "::" ? "127.0.0.1" : apiHost;
  return ROLE_SERVICES[role].map((service) => {
    const listener = API_LISTENER[service];
    const fromEnv = env[LISTENERS[listener].env];
    const port = fromEnv ? Number(fromEnv) : base[listener];
    const h = host.includes(":") ? `[${host}]` : host;
    return { service, url: `http://${h}:${port}/ready` };
  });
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @param {{ timeoutMs?: number }} [opts]
 * @returns {Promise<{ ok: boolean, failures: string[] }>}
 */
export async function checkReady(env, opts = {}) {
  const timeoutMs = opts.timeoutMs ?? 3_000;
  const results = await Promise.all(
    readyUrls(env).map(async ({ service, url }) => {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        await res.body?.cancel();
        return res.status === 200 ? undefined : `${service} (HTTP ${res.status})`;
      } catch (err) {
        const cause = /** @type {{ cause?: { code?: string } }} */ (err).cause;
        return `${service} (${cause?.code ?? /** @type {Error} */ (err).name})`;
      }
    }),
  );
  const failures = results.filter((r) => r !== undefined);
  return { ok: failures.length === 0, failures };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  checkReady(process.env).then(
    ({ ok, failures }) => {
      if (!ok) process.stdout.write(`not ready: ${failures.join(", ")}\n`);
      process.exit(ok ? 0 : 1);
    },
    (err) => {
      process.stdout.write(`health check failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
