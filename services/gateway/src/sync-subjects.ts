import { blockToJson, decodeBlock, decodeHeader, headerToJson, toHex } from "@p2pnode/codec";
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
