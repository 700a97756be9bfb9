import { availableParallelism, loadavg } from "node:os";

/**
 * The wall-clock bound for a faulted node to answer again. The manifest's bound (CometBFT's 20 s)
 * assumes each runnable task gets a core; a restarted node is seven processes loading their code,
 * so on an oversubscribed machine (1-minute load average above the core count) each gets a
 * load/cores share and needs that much more wall time for the same work. The bound is stretched
 * by the same factor, never shrunk; every record keeps its raw answer time and the bound it met.
 */
export function answerBoundMs(
  answerSec: number,
  load = loadavg()[0]!,
  cores = availableParallelism(),
): { boundMs: number; loadPerCore: number } {
  const loadPerCore = load / Math.max(1, cores);
  return { boundMs: Math.round(answerSec * 1000 * Math.max(1, loadPerCore)), loadPerCore };
}
