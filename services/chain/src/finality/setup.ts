import { loadOrCreateIdentity } from "@p2pnode/crypto";
import type { ServiceContext } from "@p2pnode/kit";
import { ConsensusSubjects, GatewaySyncSubjects } from "@p2pnode/types";
import type { Chain } from "../chain.js";
import type { ChainEvents } from "../intake.js";
import { consensusRoutes } from "../routes/consensus.js";
import { ConsensusMetrics } from "./consensus-metrics.js";
import { ConsensusNode } from "./consensus-node.js";

/**
 * The chain service's part in a dolev-strong network: the consensus node (a validator's machine,
 * or a follower's checks), its NATS endpoints for the gateway, catch-up from peers that are
 * ahead, and the REST routes. Returns its stop function.
 */
export async function setupConsensus(
  ctx: ServiceContext,
  chain: Chain,
  events: ChainEvents,
): Promise<() => void> {
  let node: ConsensusNode | undefined;
  const metrics = new ConsensusMetrics(ctx.metrics, () => node?.stats);
  node = new ConsensusNode({
    chain,
    bus: ctx.bus,
    log: ctx.log,
    identity: loadOrCreateIdentity(ctx.config.dataDir),
    role: ctx.config.role,
    events,
    metrics,
  });
  const n = node;
  await ctx.bus.serve(ConsensusSubjects.messageSubmit, (req) => n.receive(req.message, req.peer));
  await ctx.bus.serve(ConsensusSubjects.finalSubmit, (req) => n.submitFinal(req, "peer"));
  await ctx.bus.serve(ConsensusSubjects.slotsGet, (req) => n.slots(req.limit));
  await ctx.bus.serve(ConsensusSubjects.finalGet, (req) => n.finalFrom(req.fromHeight, req.max));
  ctx.bus.subscribe(GatewaySyncSubjects.peerTip, (e) => void n.catchUp(e.peer, e.height));
  consensusRoutes(ctx.app, n, { devnet: ctx.config.devnet, apiToken: ctx.config.apiToken });
  ctx.log.info(
    { validator: n.ds ? n.index : null, validators: n.set.keys.length, f: n.set.f },
    n.ds ? "dolev-strong: validating" : "dolev-strong: following certificates",
  );
  n.start();
  return () => n.stop();
}
