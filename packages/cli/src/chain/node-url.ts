import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { loadState, serviceUrls } from "@p2pnode/devnet";
import { API_LISTENER, DEFAULT_PORTS, type ServiceName } from "@p2pnode/types";

/**
 * Which API a command talks to: --node, else P2PNODE_<SERVICE>_URL, else that service on node0 of
 * the devnet in ./.devnet (or P2PNODE_DEVNET_DIR), else this machine's default port.
 */
export function serviceUrl(
  service: "chain" | "compute" | "zkp",
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (explicit) return explicit;
  const fromEnv = env[`P2PNODE_${service.toUpperCase()}_URL`];
  if (fromEnv) return fromEnv;
  const dir = resolve(env.P2PNODE_DEVNET_DIR ?? ".devnet");
  if (existsSync(resolve(dir, "devnet.json"))) {
    const node0 = loadState(dir)?.nodes[0];
    const url = node0 ? serviceUrls(node0)[service as ServiceName] : undefined;
    if (url) return url;
  }
  return `http://127.0.0.1:${DEFAULT_PORTS[API_LISTENER[service]]}`;
}

export const chainUrl = (explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string =>
  serviceUrl("chain", explicit, env);
