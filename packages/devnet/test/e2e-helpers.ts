import { expect } from "vitest";
import { type DevnetNode, serviceUrls } from "../src/layout.js";
import { waitUntil } from "../src/processes.js";

/** Shared by the devnet e2e tests: plain REST calls against one node's services. */

/** `P2PNODE_LONG=1`: the long forms (CI runs the short ones; see README, Tests). */
export const LONG = process.env.P2PNODE_LONG === "1";

export interface Tip {
  height: number;
  hash: string;
}

/** GET a JSON body; a non-2xx answer throws with its status and body. */
export async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (!r.ok) throw new TypeError(`GET ${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

/** The chain tip of `node`, or undefined while its chain service does not answer. */
export function tipOf(node: DevnetNode): Promise<Tip | undefined> {
  return getJson<Tip>(`${serviceUrls(node).chain}/tip`).catch(() => undefined);
}

/** Starts or stops mining on `node` (admin route). */
export function setMining(node: DevnetNode, action: "start" | "stop", apiToken: string): Promise<Response> {
  return fetch(`${serviceUrls(node).miner}/${action}`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiToken}` },
  });
}

/**
 * Ends a test's mining on one tip: every other miner stops, `sole` mines until it is two blocks
 * above the highest tip any node has (so its chain is strictly the heaviest: tips of equal work
 * from two miners rightly never resolve once nobody mines, first seen wins), then stops too; true
 * once every node in `nodes` has the same tip.
 */
export async function settleOnOneTip(
  nodes: DevnetNode[],
  sole: DevnetNode,
  others: DevnetNode[],
  apiToken: string,
  timeoutMs = 180_000,
): Promise<boolean> {
  for (const n of others) expect((await setMining(n, "stop", apiToken)).ok).toBe(true);
  const highest = Math.max(...(await Promise.all(nodes.map(tipOf))).map((t) => t?.height ?? 0));
  expect((await setMining(sole, "start", apiToken)).ok).toBe(true);
  const ahead = await waitUntil(
    async () => ((await tipOf(sole))?.height ?? 0) >= highest + 2,
    timeoutMs,
    200,
  );
  expect((await setMining(sole, "stop", apiToken)).ok).toBe(true);
  if (!ahead) return false;
  return waitUntil(
    async () => {
      const tips = await Promise.all(nodes.map(tipOf));
      return tips.every((t) => t !== undefined && t.hash === tips[0]!.hash);
    },
    timeoutMs,
    250,
  );
}
