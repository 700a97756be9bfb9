import { blockToJson, decodeBlock, decodeHeader, headerToJson } from "@p2pnode/codec";
import { headerHash, txId } from "@p2pnode/crypto";
import type { Bus } from "@p2pnode/kit";
import { CodedError, GatewaySubjects } from "@p2pnode/types";
import type { Gateway } from "./gateway.js";
import type { Peer } from "./peer.js";

/**
 * The NATS endpoints the chain's SyncManager uses to reach one peer through this gateway. The
 * gateway decodes only what it must to hand JSON back; the chain validates everything.
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
    const blocks = await g.sync.fetchBlocks(peerOf(req.peer), req.hashes);
    return {
      blocks: blocks.map((b) => {
        const block = decodeBlock(b);
        return blockToJson(
          block,
          headerHash(block.header),
          block.txs.map((t) => txId(t)),
        );
      }),
    };
  });
  await bus.serve(GatewaySubjects.peerPenalize, (req) => {
    const p = g.manager.peers.get(req.peer);
    if (p) g.manager.penalise(p, "BAD_SYNC_ANSWER", req.reason);
    else g.scores.record(req.peer, "BAD_SYNC_ANSWER", req.reason);
    return { score: g.scores.score(req.peer) };
  });
}
