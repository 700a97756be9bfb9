import { encodeSignedTransaction, signedTransactionFromJson, toHex } from "@p2pnode/codec";
import { txId } from "@p2pnode/crypto";
import type { SignedTransactionJson } from "@p2pnode/types";
import type { ChaosCluster } from "./cluster.js";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!r.ok) throw new Error(`GET ${url}: ${r.status}`);
  return (await r.json()) as T;
}

interface Tip {
  height: number;
  hash: string;
}

/** Main-chain hashes by height, 0..upTo, as node i serves them page by page. */
async function hashes(c: ChaosCluster, i: number, upTo: number): Promise<string[]> {
  const out: string[] = [];
  for (let from = 0; from <= upTo; from += 100) {
    const page = await getJson<{ blocks: { height: number; hash: string }[] }>(
      `${c.url(i, "chain")}/blocks?from=${from}&limit=100`,
    );
    for (const b of page.blocks) if (b.height <= upTo) out[b.height] = b.hash;
  }
  return out;
}

/**
 * The safety and liveness checks, all through the public REST APIs: every node answers; they
 * converged on one tip; they hold identical blocks at every height; every acknowledged tx is in
 * exactly one main-chain block; every node's state digest is the same and the supply equals the
 * genesis allocations plus one block reward per block.
 */
export async function checkInvariants(
  c: ChaosCluster,
  acked: string[],
): Promise<{ checks: Check[]; tip: Tip }> {
  const checks: Check[] = [];
  const idx = c.nodes.map((_, i) => i);
  const answering = await Promise.all(idx.map((i) => c.answers(i)));
  checks.push({
    name: "every node answers",
    ok: answering.every(Boolean),
    detail:
      idx
        .filter((i) => !answering[i])
        .map((i) => `node${i} silent`)
        .join(", ") || `${idx.length} nodes`,
  });
  const tips = await Promise.all(idx.map((i) => getJson<Tip>(`${c.url(i, "chain")}/tip`)));
  const tip = tips[0]!;
  checks.push({
    name: "one tip",
    ok: tips.every((t) => t.hash === tip.hash),
    detail: tips.map((t, i) => `node${i} ${t.height}/${t.hash.slice(0, 8)}`).join(" "),
  });
  const common = Math.min(...tips.map((t) => t.height));
  const all = await Promise.all(idx.map((i) => hashes(c, i, common)));
  const diverging = [];
  for (let h = 0; h <= common; h++) if (!all.every((hs) => hs[h] === all[0]![h])) diverging.push(h);
  checks.push({
    name: "identical blocks at every height",
    ok: diverging.length === 0 && all[0]!.length === common + 1,
    detail: diverging.length === 0 ? `heights 0..${common}` : `differ at ${diverging.slice(0, 5).join(", ")}`,
  });

  // Every tx of the main chain, counted, on node 0 (the others hold the same blocks, checked above).
  const seen = new Map<string, number>();
  for (let h = 1; h <= common; h++) {
    const b = await getJson<{ txs: SignedTransactionJson[] }>(`${c.url(0, "chain")}/blocks/${h}`);
    for (const t of b.txs) {
      const id = toHex(txId(encodeSignedTransaction(signedTransactionFromJson(t))));
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
  }
  const missing = acked.filter((id) => !seen.has(id));
  const twice = acked.filter((id) => (seen.get(id) ?? 0) > 1);
  checks.push({
    name: "every acknowledged tx committed exactly once",
    ok: missing.length === 0 && twice.length === 0,
    detail: `${acked.length} acknowledged, ${missing.length} missing, ${twice.length} more than once${missing.length ? `: ${missing.slice(0, 3).join(", ")}` : ""}`,
  });

  const digests = await Promise.all(
    idx.map((i) =>
      getJson<{ height: number; digest: string; supply: string }>(`${c.url(i, "chain")}/state/digest`),
    ),
  );
  const genesisSupply = c.genesis.allocations.reduce((s, a) => s + BigInt(a.balance), 0n);
  const expected = genesisSupply + BigInt(c.genesis.consensus.blockReward) * BigInt(digests[0]!.height);
  checks.push({
    name: "supply conserved, one state",
    ok: digests.every(
      (d) =>
        d.digest === digests[0]!.digest &&
        BigInt(d.supply) === genesisSupply + BigInt(c.genesis.consensus.blockReward) * BigInt(d.height),
    ),
    detail: `supply ${digests[0]!.supply} (expected ${expected}) at ${digests[0]!.height}; digests ${[...new Set(digests.map((d) => d.digest.slice(0, 12)))].join(" ")}`,
  });
  return { checks, tip };
}
