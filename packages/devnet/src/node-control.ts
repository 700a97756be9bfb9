import { type DevnetNode, serviceUrls } from "./layout.js";
import { waitUntil } from "./processes.js";

/*
 * What tests and benches do to a running devnet node over its REST APIs: read its chain tip,
 * start and stop its miner, mine a number of blocks, find whether nodes share one tip. One copy,
 * so a refused miner call fails where it happens in every caller.
 */

export interface Tip {
  height: number;
  hash: string;
  /** The chain's total work to this tip, a decimal string (GET /tip). */
  totalWork: string;
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

/** The tip hash every one of `nodes` has, or undefined while they differ (or one does not answer). */
export async function sharedTip(nodes: readonly DevnetNode[]): Promise<string | undefined> {
  const tips = await Promise.all(nodes.map(tipOf));
  return tips.every((t) => t !== undefined && t.hash === tips[0]!.hash) ? tips[0]?.hash : undefined;
}

/**
 * Starts or stops mining on `node` (admin route). A refused call throws with its status and body:
 * a miner left running when a test stopped it keeps the tips apart, and the test would only fail
 * later, on a wait, saying nothing of why.
 */
export async function setMining(node: DevnetNode, action: "start" | "stop", apiToken: string): Promise<void> {
  const r = await fetch(`${serviceUrls(node).miner}/${action}`, {
    method: "POST",
    headers: { authorization: `Bearer ${apiToken}` },
  });
  if (!r.ok) throw new TypeError(`${action} mining on ${node.name}: ${r.status} ${await r.text()}`);
}

/**
 * Mines on `node` until its tip satisfies `enough`, then stops; whether it did within
 * `timeoutMs`. With an easy target blocks come as fast as the chain takes them, so the tip passes
 * the condition by however many arrive before the stop: a floor, not a count.
 */
export async function mineUntil(
  node: DevnetNode,
  apiToken: string,
  enough: (tip: Tip) => boolean,
  o: { timeoutMs?: number; pollMs?: number } = {},
): Promise<boolean> {
  await setMining(node, "start", apiToken);
  const ok = await waitUntil(
    async () => {
      const t = await tipOf(node);
      return t !== undefined && enough(t);
    },
    o.timeoutMs ?? 120_000,
    o.pollMs ?? 200,
  );
  await setMining(node, "stop", apiToken);
  return ok;
}

/** Mines on `node` until it is at least `blocks` above where it was, then stops (see mineUntil). */
export async function mineBlocks(
  node: DevnetNode,
  apiToken: string,
  blocks: number,
  o: { timeoutMs?: number; pollMs?: number } = {},
): Promise<boolean> {
  const start = (await tipOf(node))?.height;
  if (start === undefined) throw new TypeError(`${node.name}'s chain service does not answer GET /tip`);
  return mineUntil(node, apiToken, (t) => t.height >= start + blocks, o);
}
