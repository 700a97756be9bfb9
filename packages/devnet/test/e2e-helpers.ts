import { type DevnetNode, serviceUrls } from "../src/layout.js";

/** Shared by the devnet e2e tests: plain REST calls against one node's services. */

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
