import { fromHex, toHex } from "@p2pnode/codec";
import { nodeIdOf } from "@p2pnode/crypto";
import type { Bus } from "@p2pnode/kit";
import {
  ChainReadSubjects,
  CodedError,
  ConsensusSubjects,
  consensusParams,
  type Genesis,
} from "@p2pnode/types";
import type { SubmitOutcome } from "./chain-port.js";
import { type ConsensusPort, ConsensusRelay } from "./consensus-relay.js";
import type { Gateway } from "./gateway.js";

const SUBMIT_TIMEOUT_MS = 30_000;
const READ_TIMEOUT_MS = 5_000;

/** The chain's consensus endpoints over NATS (ConsensusSubjects). */
export function natsConsensusPort(bus: Bus): ConsensusPort {
  return {
    submitMessage: (message, peer) =>
      bus.request(ConsensusSubjects.messageSubmit, { message, peer }, SUBMIT_TIMEOUT_MS),
    async submitFinal(block, certificate, peer): Promise<SubmitOutcome> {
      try {
        const v = await bus.request(
          ConsensusSubjects.finalSubmit,
          { block, certificate, peer },
          SUBMIT_TIMEOUT_MS,
        );
        return { ok: true, status: v.status };
      } catch (err) {
        if (err instanceof CodedError)
          return { ok: false, code: err.code, message: err.message, details: err.details };
        return { ok: false, code: "INTERNAL", message: (err as Error).message };
      }
    },
    finalFrom: (fromHeight, max) =>
      bus.request(ConsensusSubjects.finalGet, { fromHeight, max }, READ_TIMEOUT_MS),
    async getBlock(hash) {
      try {
        const r = await bus.request(ChainReadSubjects.blockGet, { hash }, READ_TIMEOUT_MS);
        return r.block;
      } catch (err) {
        if (err instanceof CodedError && err.code === "NOT_FOUND") return undefined;
        throw err;
      }
    },
  };
}

/**
 * Wires the consensus relay into a gateway: the P2P message types, the chain's broadcasts and
 * finalized blocks, and the catch-up fetch. In a proof-of-work network the relay only refuses
 * consensus messages. Returns the relay's stop function.
 */
export async function serveConsensusSubjects(bus: Bus, g: Gateway, genesis: Genesis): Promise<() => void> {
  const p = consensusParams(genesis);
  const relay = new ConsensusRelay({
    validators: p.kind === "dolev-strong" ? p.validators.length : null,
    validatorNodeIds:
      p.kind === "dolev-strong" ? p.validators.map((k) => toHex(nodeIdOf(fromHex(k, "validator key")))) : [],
    port: natsConsensusPort(bus),
    seen: g.seen,
    log: g.log,
    peers: () => g.manager.peers.values(),
    penalise: (peer, kind, detail, fatal) => g.manager.penalise(peer, kind, detail, fatal),
    needSync: (peer) => g.peerTip(peer),
  });
  g.protocol.consensus = relay;
  if (p.kind === "dolev-strong") {
    g.announceBlocks = false;
    bus.subscribe(ConsensusSubjects.messageBroadcast, (e) => relay.broadcastOwn(e.message));
    // The chain's block.accepted event carries a final block's bytes and certificate (gateway.ts).
    g.onFinal = (hash, certificate, block) =>
      void relay
        .onChainFinal(hash, certificate, block)
        .catch((err: Error) => g.log.warn({ err: err.message }, "final block not relayed"));
    await bus.serve(ConsensusSubjects.finalFetch, async (req) => ({
      items: await relay.fetchFinal(req.peer, req.fromHeight, req.max),
    }));
  }
  return () => relay.stop();
}
