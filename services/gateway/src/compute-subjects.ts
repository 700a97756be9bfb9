import type { Bus } from "@p2pnode/kit";
import { ComputeRelaySubjects } from "@p2pnode/types";
import type { Gateway } from "./gateway.js";

/** A job a peer offered may wait in the compute service's queue; past this it is a timeout. */
const RUN_GRACE_MS = 15_000;

/** The NATS edge of the compute relay: offers for the local scheduler, runs for peers, scores. */
export async function serveComputeSubjects(bus: Bus, g: Gateway): Promise<void> {
  const relay = g.compute;
  relay.runLocal = (from, job) =>
    bus.request(ComputeRelaySubjects.jobRun, { from, job }, job.limits.deadlineMs + RUN_GRACE_MS);
  bus.subscribe(ComputeRelaySubjects.capacityAnnounce, (e) => relay.capacity(e.slots));
  bus.subscribe(ComputeRelaySubjects.workerPenalise, (e) => {
    const p = g.manager.peers.get(e.peer);
    if (p) g.manager.penalise(p, "WRONG_COMPUTE_RESULT", e.reason);
    else g.scores.record(e.peer, "WRONG_COMPUTE_RESULT", e.reason);
  });
  await bus.serve(ComputeRelaySubjects.jobOffer, (req) => relay.offer(req.peer, req.job, req.timeoutMs));
  await bus.serve(ComputeRelaySubjects.workersList, () => ({ workers: relay.workers() }));
}
