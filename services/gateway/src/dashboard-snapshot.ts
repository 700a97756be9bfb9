import type { NodeConfig } from "@p2pnode/kit";
import {
  BlockPage,
  ConsensusSlots,
  ConsensusStatus,
  DASHBOARD_EVIDENCE,
  DASHBOARD_SLOTS,
  DASHBOARD_TASKS,
  type DashboardNode,
  type DashboardPeer,
  EvidenceJson,
  TaskList,
} from "@p2pnode/types";
import { z } from "zod";
import type { DashboardFeed } from "./dashboard-feed.js";
import type { Gateway } from "./gateway.js";

/** Main-chain blocks in a snapshot: enough for a fork tree and propagation over the last N. */
const SNAPSHOT_BLOCKS = 30;
/** A sibling service on this node that does not answer this fast is left out of the snapshot. */
const LOCAL_TIMEOUT_MS = 3_000;

/**
 * The gateway's guess at a peer's REST URL: its P2P listen port − 1 (7101 → 7100 in a container,
 * base+101 → base+100 on a devnet). The crawler checks the answer's NodeId before trusting it.
 */
export function peerApiUrl(address: string, listenPort: number): string | null {
  if (listenPort <= 1) return null;
  const host = address
    .slice(0, address.lastIndexOf(":"))
    .replace(/^\[|\]$/g, "")
    .replace(/^::ffff:/, "");
  if (!host) return null;
  return `http://${host.includes(":") ? `[${host}]` : host}:${listenPort - 1}`;
}

/** The URL a sibling service on this node answers at, whatever address the listeners bind to. */
function localUrl(config: NodeConfig, port: number): string {
  const h = config.apiHost;
  const host = h === "0.0.0.0" || h === "::" || h === "" ? "127.0.0.1" : h.includes(":") ? `[${h}]` : h;
  return `http://${host}:${port}`;
}

async function localJson<T>(url: string): Promise<T | null> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(LOCAL_TIMEOUT_MS) });
    return r.ok ? ((await r.json()) as T) : null;
  } catch {
    return null;
  }
}

interface ComputeWorkers {
  sandbox: { threads: number; busy: number; queued: number };
  workers: { id: string; trusted: boolean; valid: number; invalid: number; errors: number }[];
}
interface DhtTable {
  size: number;
  buckets: { index: number; entries: unknown[] }[];
}

/** This node as the dashboard shows it: the gateway's own state plus its siblings' REST answers. */
export async function nodeSnapshot(
  g: Gateway,
  config: NodeConfig,
  feed: DashboardFeed,
  agent: string,
): Promise<DashboardNode> {
  const chain = localUrl(config, config.ports.chainApi);
  const dht = localUrl(config, config.ports.dhtApi);
  const compute = localUrl(config, config.ports.computeApi);
  const [tip, sync, mempool, blocks, table, workers, consensus, tasks] = await Promise.all([
    localJson<{ height: number; hash: string; timestamp: number }>(`${chain}/tip`),
    localJson<{ state: string; syncing: boolean; bestKnownHeight: number }>(`${chain}/sync`),
    localJson<{ count: number; bytes: number }>(`${chain}/mempool?limit=1`),
    localJson<unknown>(`${chain}/blocks?limit=${SNAPSHOT_BLOCKS}`).then(
      (j) => BlockPage.safeParse(j).data ?? null,
    ),
    localJson<DhtTable>(`${dht}/table`),
    localJson<ComputeWorkers>(`${compute}/workers`),
    // Proof-of-work networks have no consensus routes: three reads fewer on a busy chain.
    g.announceBlocks ? null : localConsensus(chain),
    localJson<unknown>(`${compute}/tasks?limit=${DASHBOARD_TASKS}`).then(
      (j) => TaskList.safeParse(j).data?.tasks ?? [],
    ),
  ]);
  const peers: DashboardPeer[] = [...g.manager.peers.values()].map((p) => ({
    id: p.id,
    address: p.address,
    direction: p.info.direction,
    latencyMs: p.latencyMs,
    height: p.height,
    score: Math.round(g.scores.score(p.id) * 100) / 100,
    bytesIn: p.bytesIn,
    bytesOut: p.bytesOut,
    apiUrl: peerApiUrl(p.address, p.info.listenPort),
  }));
  return {
    nodeId: g.nodeIdHex,
    role: config.role,
    agent,
    at: Date.now(),
    tip: tip && { height: tip.height, hash: tip.hash, timestamp: tip.timestamp },
    sync: sync && { state: sync.state, syncing: sync.syncing, bestKnownHeight: sync.bestKnownHeight },
    mempool: mempool && { count: mempool.count, bytes: mempool.bytes },
    txAccepted: feed.txAccepted,
    blocks: (blocks?.blocks ?? [])
      .map((b) => ({ hash: b.hash, height: b.height, prevHash: b.header.prevHash, receivedAt: b.receivedAt }))
      .sort((a, b) => a.height - b.height),
    peers,
    bans: g.bans
      .list()
      .map((b) => ({ target: b.target, reason: b.reason.slice(0, 200), expiresAt: b.expiresAt })),
    messages: g.metrics.snapshot().messages,
    dht: table && {
      size: table.size,
      buckets: table.buckets
        .filter((b) => b.entries.length > 0)
        .map((b) => ({ index: b.index, entries: b.entries.length })),
    },
    consensus,
    compute: workers && {
      sandbox: {
        threads: workers.sandbox.threads,
        busy: workers.sandbox.busy,
        queued: workers.sandbox.queued,
      },
      workers: workers.workers.slice(0, 1000).map((w) => ({
        id: w.id.slice(0, 100),
        trusted: w.trusted,
        valid: w.valid,
        invalid: w.invalid,
        errors: w.errors,
      })),
      tasks,
    },
  };
}

const EvidenceList = z.object({ evidence: z.array(EvidenceJson) });

/**
 * A dolev-strong chain's status, recent slots and evidence (three loopback reads); null when the
 * chain has no consensus routes (proof of work) or any of them does not answer.
 */
async function localConsensus(chain: string): Promise<DashboardNode["consensus"]> {
  const [status, slots, evidence] = await Promise.all([
    localJson<unknown>(`${chain}/consensus`).then((j) => ConsensusStatus.safeParse(j).data),
    localJson<unknown>(`${chain}/consensus/slots?limit=${DASHBOARD_SLOTS}`).then(
      (j) => ConsensusSlots.safeParse(j).data,
    ),
    localJson<unknown>(`${chain}/consensus/evidence?limit=${DASHBOARD_EVIDENCE}`).then(
      (j) => EvidenceList.safeParse(j).data,
    ),
  ]);
  if (status?.kind !== "dolev-strong" || !slots || !evidence) return null;
  return { status, slots, evidence: evidence.evidence };
}
