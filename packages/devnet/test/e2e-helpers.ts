import { readFileSync } from "node:fs";
import { join } from "node:path";
import { encodeSignedTransaction } from "@p2pnode/codec";
import { type SigningKey, signTransaction, txId } from "@p2pnode/crypto";
import type { ServiceName } from "@p2pnode/types";
import { connect } from "nats";
import { afterEach } from "vitest";
import { type DevnetNode, nodePorts, serviceUrls } from "../src/layout.js";
import { getJson, mineUntil, setMining, sharedTip, tipOf } from "../src/node-control.js";
import { allPids, isAlive, readPids, waitUntil } from "../src/processes.js";

/** Shared by the devnet e2e tests: plain REST calls against one node's services. */

export { getJson, setMining, type Tip, tipOf } from "../src/node-control.js";

/** `P2PNODE_LONG=1`: the long forms (CI runs the short ones; see README, Tests). */
export const LONG = process.env.P2PNODE_LONG === "1";

/**
 * What a node knows, for a failed test's report (a CI run's devnet dir is gone afterwards): its
 * tip, its chain's sync status, its miner's status, its gateway's peers and bans, and the last warnings in its log.
 */
export async function diagnosis(node: DevnetNode): Promise<string> {
  const urls = serviceUrls(node);
  const get = (url: string) => getJson<unknown>(url).catch((err: Error) => err.message);
  const [tip, sync, miner, peers, bans] = await Promise.all([
    get(`${urls.chain}/tip`),
    get(`${urls.chain}/sync`),
    get(`${urls.miner}/status`),
    get(`${urls.gateway}/peers`),
    get(`${urls.gateway}/bans`),
  ]);
  let warnings: string[] = [];
  try {
    warnings = readFileSync(node.logFile, "utf8")
      .split("\n")
      // A crash prints its stack as plain text ("TypeError: …"), not as a JSON log line.
      .filter((l) => /"level":"(warn|error|fatal)"|\[(WRN|ERR|FTL)\]|\b[A-Z]\w*Error\b/.test(l))
      .slice(-12);
  } catch {}
  const brief = (v: unknown) => JSON.stringify(v).slice(0, 2_000);
  return `${node.name}: tip ${brief(tip)} sync ${brief(sync)}\n  miner ${brief(miner)}\n  peers ${brief(peers)}\n  bans ${brief(bans)}\n  ${warnings.join("\n  ")}`;
}

/**
 * Prints every node's diagnosis after a failed test of this file: a CI log then says which peers
 * each node had, what it banned and what it warned about, though the devnet's dir is wiped.
 */
export function reportFailures(nodes: () => readonly DevnetNode[] | undefined): void {
  afterEach(async ({ task }) => {
    if (task.result?.state !== "fail") return;
    const all = await Promise.all((nodes() ?? []).map(diagnosis));
    console.error(`after the failure of "${task.name}":\n${all.join("\n")}`);
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
  for (const n of others) await setMining(n, "stop", apiToken);
  const highest = Math.max(...(await Promise.all(nodes.map(tipOf))).map((t) => t?.height ?? 0));
  if (!(await mineUntil(sole, apiToken, (t) => t.height >= highest + 2, { timeoutMs }))) return false;
  return waitUntil(async () => (await sharedTip(nodes)) !== undefined, timeoutMs, 250);
}

// ---- Processes of one node, transfers, bus counters: shared by the delivery e2e and others. ----

/** The pid the node's supervisor recorded for `service` (or for nats / the supervisor itself). */
export function servicePid(
  node: DevnetNode,
  service: ServiceName | "nats" | "supervisor",
): number | undefined {
  const r = readPids(node.dataDir);
  if (!r) return undefined;
  if (service === "supervisor") return r.supervisor;
  if (service === "nats") return r.nats;
  return r.services[service];
}

/** Every pid the node's supervisor recorded (supervisor, nats-server, services). */
export function nodePids(node: DevnetNode): number[] {
  return allPids(readPids(node.dataDir));
}

/** Is `service` of `node` answering /ready with 200? */
export async function isReady(node: DevnetNode, service: ServiceName): Promise<boolean> {
  const url = serviceUrls(node)[service];
  if (!url) return false;
  return fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) })
    .then((r) => r.status === 200)
    .catch(() => false);
}

/**
 * SIGKILLs one service of a node and waits until its supervisor has started it again and it is
 * ready; returns the old and new pids.
 */
export async function killService(
  node: DevnetNode,
  service: ServiceName,
  timeoutMs = 120_000,
): Promise<{ before: number; after: number }> {
  const before = servicePid(node, service);
  if (before === undefined || !isAlive(before)) throw new TypeError(`${node.name}/${service} is not running`);
  process.kill(before, "SIGKILL");
  let after: number | undefined;
  const back = await waitUntil(
    async () => {
      after = servicePid(node, service);
      return after !== undefined && after !== before && isAlive(after) && (await isReady(node, service));
    },
    timeoutMs,
    200,
  );
  if (!back) throw new TypeError(`${node.name}/${service} did not come back after SIGKILL`);
  return { before, after: after! };
}

export interface SignedTransfer {
  id: string;
  nonce: number;
  /** The POST /txs body. */
  body: { tx: Record<string, unknown>; signature: string };
  /** The same tx's codec bytes, the POST /txs/raw body. */
  bytes: Uint8Array;
}

/** How a transfer is sent: JSON to POST /txs, or its codec bytes to POST /txs/raw. */
export type SubmitForm = "json" | "raw";

const hexOf = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** A signed transfer as POST /txs takes it, with its id. */
export function signedTransfer(
  key: SigningKey,
  o: { to: Uint8Array; amount: bigint; fee: bigint; nonce: number; chainId: string },
): SignedTransfer {
  const tx = {
    kind: "transfer" as const,
    from: key.publicKey,
    to: o.to,
    amount: o.amount,
    fee: o.fee,
    nonce: o.nonce,
    memo: new Uint8Array(0),
  };
  const stx = signTransaction(tx, o.chainId, key);
  return {
    id: hexOf(txId(stx)),
    nonce: o.nonce,
    bytes: encodeSignedTransaction(stx),
    body: {
      tx: {
        kind: "transfer",
        from: hexOf(tx.from),
        to: hexOf(tx.to),
        amount: String(o.amount),
        fee: String(o.fee),
        nonce: o.nonce,
        memo: "",
      },
      signature: hexOf(stx.signature),
    },
  };
}

export type SendOutcome =
  | { kind: "acked"; id: string }
  | { kind: "refused"; status: number; code: string; expected?: number }
  | { kind: "unreachable" };

/**
 * POST /txs (or /txs/raw with its bytes) to `node`'s chain: acknowledged (2xx), refused with a
 * code, or no answer at all.
 */
export async function sendTransfer(
  node: DevnetNode,
  t: SignedTransfer,
  form: SubmitForm = "json",
): Promise<SendOutcome> {
  let res: Response;
  try {
    res = await fetch(`${serviceUrls(node).chain}${form === "raw" ? "/txs/raw" : "/txs"}`, {
      method: "POST",
      headers: { "content-type": form === "raw" ? "application/octet-stream" : "application/json" },
      body: form === "raw" ? t.bytes : JSON.stringify(t.body),
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    return { kind: "unreachable" };
  }
  const body = (await res.json().catch(() => ({}))) as {
    id?: string;
    error?: { code: string; details?: { expected?: number } };
  };
  if (res.status >= 200 && res.status < 300) return { kind: "acked", id: body.id ?? t.id };
  return {
    kind: "refused",
    status: res.status,
    code: body.error?.code ?? `HTTP_${res.status}`,
    ...(typeof body.error?.details?.expected === "number" ? { expected: body.error.details.expected } : {}),
  };
}

/**
 * Requests each endpoint of `service` on the node's own NATS has answered since that service
 * started (the NATS services API's $SRV.STATS), by subject: how the bus is used, counted.
 */
export async function endpointRequests(node: DevnetNode, service: string): Promise<Record<string, number>> {
  const token = readFileSync(join(node.dataDir, "nats.token"), "utf8").trim();
  const nc = await connect({ servers: `127.0.0.1:${nodePorts(node).nats}`, token, name: "e2e-stats" });
  try {
    const out: Record<string, number> = {};
    for await (const s of await nc.services.client().stats(service)) {
      for (const e of s.endpoints ?? []) out[e.subject] = (out[e.subject] ?? 0) + e.num_requests;
    }
    return out;
  } finally {
    await nc.close();
  }
}
