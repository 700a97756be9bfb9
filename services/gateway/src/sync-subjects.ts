import { BUS_SYNC_ANSWER_BYTES, decodeHeader, headerToJson, itemsWithinBudget, toHex } from "@p2pnode/codec";
import type { Bus } from "@p2pnode/kit";
import { CodedError, GatewaySubjects } from "@p2pnode/types";
import type { Gateway } from "./gateway.js";
import type { Peer } from "./peer.js";

/**
 * The NATS endpoints the chain's SyncManager uses to reach one peer through this gateway. Blocks
 * go back as the peer's bytes (CBOR); the chain decodes and validates everything.
 */
export async function serveSyncSubjects(bus: Bus, g: Gateway): Promise<void> {
  const peerOf = (id: string): Peer => {
    const p = g.manager.peers.get(id);
    if (!p?.isOpen) throw new CodedError("NOT_FOUND", `peer ${id.slice(0, 16)} is not connected`);
    return p;
  };
  await bus.serve(GatewaySubjects.syncPeers, () => ({
    peers: [...g.manager.peers.values()]
      .filter((p) => p.isOpen)
      .map((p) => ({ id: p.id, totalWork: p.totalWork, height: p.height, latencyMs: p.latencyMs })),
  }));
  await bus.serve(GatewaySubjects.headersFetch, async (req) => {
    const headers = await g.sync.fetchHeaders(peerOf(req.peer), req.locator, req.max);
    // A header that does not decode is the peer's fault: the chain penalises on the error.
    return { headers: headers.map((h) => headerToJson(decodeHeader(h))) };
  });
  await bus.serve(GatewaySubjects.blocksFetch, async (req) => {
    const got = await g.sync.fetchBlocks(peerOf(req.peer), req.hashes);
    return cutSyncAnswer(req.hashes, got);
  });
  // Light-node questions go to peers with the most work first; a peer that has no proof (a light
  // peer, or one that has not seen the block) answers found=false and the next is asked.
  const byWork = () =>
    [...g.manager.peers.values()]
      .filter((p) => p.isOpen)
      .sort((a, b) => (BigInt(b.totalWork) > BigInt(a.totalWork) ? 1 : -1));
  await bus.serve(GatewaySubjects.txProofFetch, async (req) => {
    for (const p of byWork().slice(0, 4)) {
      const a = await g.light.txProof(p, Buffer.from(req.txId, "hex"));
      if (a?.found) {
        return {
          peer: p.id,
          proof: {
            txId: req.txId,
            blockHash: toHex(a.blockHash),
            height: a.height,
            index: a.index,
            size: a.size,
            path: a.path.map((h) => toHex(h)),
          },
        };
      }
    }
    return { proof: null, peer: null };
  });
  await bus.serve(GatewaySubjects.accountFetch, async (req) => {
    for (const p of byWork().slice(0, 2)) {
      const a = await g.light.account(p, Buffer.from(req.address, "hex"));
      if (a && a.height > 0)
        return {
          peer: p.id,
          account: { address: req.address, balance: a.balance.toString(), nonce: a.nonce, height: a.height },
        };
    }
    return { account: null, peer: null };
  });
  await bus.serve(GatewaySubjects.peerPenalize, (req) => {
    const kind = /stall|failed|no answer/.test(req.reason) ? "SYNC_STALL" : "BAD_SYNC_ANSWER";
    const p = g.manager.peers.get(req.peer);
    if (p) g.manager.penalise(p, kind, req.reason);
    else g.scores.record(req.peer, kind, req.reason);
    return { score: g.scores.score(req.peer) };
  });
}

/**
 * The blocks.fetch reply: the blocks in the order asked, cut by bytes to BUS_SYNC_ANSWER_BYTES
 * (the size table), with `next` the index in `hashes` of the first block left out.
 */
export function cutSyncAnswer(
  hashes: string[],
  got: { hash: string; bytes: Uint8Array }[],
): { blocks: Uint8Array[]; next: number | null } {
  const n = itemsWithinBudget(
    got.map((b) => b.bytes.length),
    BUS_SYNC_ANSWER_BYTES,
  );
  return {
    blocks: got.slice(0, n).map((b) => b.bytes),
    next: n < got.length ? hashes.indexOf(got[n]!.hash) : null,
  };
}
