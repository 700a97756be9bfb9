import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { loadState, serviceUrls } from "@p2pnode/devnet";

/**
 * Which chain API the chain/tx commands talk to: --node, else P2PNODE_CHAIN_URL, else node0 of the
 * devnet in ./.devnet (or P2PNODE_DEVNET_DIR), else a node on this machine's default port.
 */
export function chainUrl(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  if (env.P2PNODE_CHAIN_URL) return env.P2PNODE_CHAIN_URL;
  const dir = resolve(env.P2PNODE_DEVNET_DIR ?? ".devnet");
  if (existsSync(resolve(dir, "devnet.json"))) {
    const node0 = loadState(dir)?.nodes[0];
    const url = node0 ? serviceUrls(node0).chain : undefined;
    if (url) return url;
  }
  return "http://127.0.0.1:7200";
}
