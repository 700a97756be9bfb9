import { seededRandom, simRig, simWorkers, truth } from "../helpers.js";

/*
 * The sim tier's scenario, shared by the test (asserts) and the bench (reports): 100 simulated
 * workers of which 30 answer wrong on every job — 20 liars with their own wrong values and 10
 * colluders who all give the same wrong value — plus 5 flaky honest workers that sometimes never
 * answer; ≥ 1,000 seeded tasks of 1–8 jobs, replication 3, submitted in waves.
 */

export interface ByzantineReport {
  seed: number;
  adaptive: boolean;
  tasks: number;
  jobs: number;
  /** Jobs whose accepted result differs from the honest answer: must be 0. */
  wrongAccepted: number;
  failedTasks: number;
  runs: number;
  /** Extra runs per job: runs / jobs − 1 (replication 3 without adaptive replication: ≥ 2). */
  overhead: number;
  disagreementsReported: number;
  /** Dishonest workers this scheduler no longer uses (distrusted or banned). */
  dishonestExcluded: number;
}

export async function runByzantine(seed: number, adaptive: boolean, tasks = 1_000): Promise<ByzantineReport> {
  const workers = simWorkers({ honest: 65, flaky: 5, liar: 20, colluder: 10 });
  // On the rig's virtual clock an answer takes 1 ms, so only flaky workers' silence times out.
  const rig = simRig(workers, seed, { attemptGraceMs: 300 }, 0.3);
  const random = seededRandom(seed ^ 0x5eed);
  const ids: string[] = [];
  let jobs = 0;
  const WAVE = 100;
  for (let t = 0; t < tasks; t += WAVE) {
    const wave: string[] = [];
    for (let k = t; k < Math.min(tasks, t + WAVE); k++) {
      const inputs = Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 1e6));
      jobs += inputs.length;
      wave.push(rig.submit(inputs, { replication: 3, quorum: 3, adaptive, deadlineMs: 200 }).id);
    }
    await rig.settled(wave);
    ids.push(...wave);
  }
  let wrongAccepted = 0;
  let failedTasks = 0;
  for (const id of ids) {
    if (rig.store.getTask(id)!.status !== "done") failedTasks++;
    for (const j of rig.store.jobs(id)) {
      if (j.status !== "accepted") continue;
      const honest = truth({ input: j.input });
      if (!honest.ok || honest.json !== j.result) wrongAccepted++;
    }
  }
  const dishonest = workers.filter((w) => w.behaviour === "liar" || w.behaviour === "colluder");
  const distrusted = new Set(
    rig.store
      .workers()
      .filter((w) => w.distrustedUntil > rig.clock.now())
      .map((w) => w.id),
  );
  const excluded = dishonest.filter(
    (w) => distrusted.has(w.id) || !rig.transport.workers().some((x) => x.id === w.id),
  ).length;
  const runs = rig.transport.totalRuns;
  await rig.scheduler.stop();
  rig.store.close();
  return {
    seed,
    adaptive,
    tasks,
    jobs,
    wrongAccepted,
    failedTasks,
    runs,
    overhead: runs / jobs - 1,
    disagreementsReported: rig.reports.length,
    dishonestExcluded: excluded,
  };
}
