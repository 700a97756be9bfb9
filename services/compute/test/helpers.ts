import { canonicalJson, type JobOutcome } from "@p2pnode/codec";
import { createLogger, seededRandom, VirtualClock } from "@p2pnode/kit";

export { seededRandom };

import {
  type Disagreement,
  defaultSchedulerOptions,
  Scheduler,
  type SchedulerOptions,
} from "../src/scheduler/scheduler.js";
import { type SimBehaviour, SimTransport, type SimWorker } from "../src/scheduler/sim-transport.js";
import type { JobSpec } from "../src/scheduler/transport.js";
import { ComputeStore, type TaskRow } from "../src/store.js";

/** The honest answer every simulated job should get. */
export function truth(job: Pick<JobSpec, "input">): JobOutcome {
  const x = JSON.parse(job.input) as number;
  return { ok: true, json: canonicalJson({ y: x * x + 1 }) };
}

export function simWorkers(spec: Partial<Record<SimBehaviour, number>>, slots = 2): SimWorker[] {
  const out: SimWorker[] = [];
  for (const [behaviour, n] of Object.entries(spec) as [SimBehaviour, number][])
    for (let i = 0; i < n; i++) out.push({ id: `${behaviour}-${i}`, behaviour, slots });
  return out;
}

export interface SimRig {
  store: ComputeStore;
  transport: SimTransport;
  scheduler: Scheduler;
  reports: { worker: string; d: Disagreement }[];
  submit: (inputs: number[], o?: Partial<TaskRow>) => TaskRow;
  /** The scheduler's and workers' time: it moves only while settled() waits. */
  clock: VirtualClock;
  /** Runs virtual time until every listed task has ended. */
  settled: (ids: string[]) => Promise<void>;
}

/** A scheduler over simulated workers; penalties ban a worker the way the gateway's score would. */
export function simRig(
  workers: SimWorker[],
  seed: number,
  opts: Partial<SchedulerOptions> = {},
  flakyLoss = 0.3,
  /** A store to resume from (a restarted scheduler), else a fresh one. */
  store = new ComputeStore(":memory:"),
): SimRig {
  const random = seededRandom(seed);
  // Starts at the wall-clock time so distrust periods compare sensibly with stored timestamps.
  const clock = new VirtualClock(Date.now());
  const transport = new SimTransport({ workers, truth, random, flakyLoss, clock });
  const reports: SimRig["reports"] = [];
  const penalties = new Map<string, number>();
  const ended = new Set<string>();
  const waiters: (() => void)[] = [];
  const scheduler = new Scheduler(
    { ...defaultSchedulerOptions, attemptGraceMs: 50, ...opts },
    {
      store,
      transport,
      log: createLogger("sim", "silent"),
      random,
      clock,
      reduce: async () => ({ ok: false, code: "INTERNAL", message: "no reduce in the simulation" }),
      reputation: (worker, d) => {
        reports.push({ worker, d });
        const p = (penalties.get(worker) ?? 0) + 1;
        penalties.set(worker, p);
        if (p >= 2) transport.ban(worker);
      },
      onEvent: (e) => {
        if (e.type === "done" || e.type === "failed") {
          ended.add(e.taskId);
          for (const w of waiters.splice(0)) w();
        }
      },
    },
  );
  scheduler.start();
  const submit = (inputs: number[], o: Partial<TaskRow> = {}) =>
    scheduler.submit(
      {
        functionHash: "00".repeat(32),
        reduceHash: null,
        replication: 3,
        quorum: 3,
        deadlineMs: 50,
        budget: 1e6,
        seed: null,
        adaptive: true,
        jobsTotal: inputs.length,
        ...o,
      },
      inputs.map((x) => JSON.stringify(x)),
    );
  const allEnded = async (ids: string[]) => {
    while (!ids.every((id) => ended.has(id))) await new Promise<void>((r) => waiters.push(r));
  };
  const settled = (ids: string[]) => clock.run(allEnded(ids));
  return { store, transport, scheduler, reports, submit, clock, settled };
}
