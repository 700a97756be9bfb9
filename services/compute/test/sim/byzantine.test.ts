import { describe, expect, it } from "vitest";
import { runByzantine } from "./byzantine.js";

/*
 * Sim tier: 100 simulated workers, 30% of them answering wrong (a third of those colluding on the
 * same wrong answer), 1,000 seeded tasks. No wrong result may be accepted, with adaptive
 * replication on or off; adaptive replication must cost fewer runs. `pnpm bench` prints the
 * overheads over several seeds.
 */
describe("sim: 100 workers, 30% dishonest, 1,000 tasks", () => {
  it("accepts no wrong result and catches the dishonest workers (adaptive replication on)", async () => {
    const r = await runByzantine(11, true);
    expect(r.tasks).toBe(1_000);
    expect(r.jobs).toBeGreaterThan(3_000);
    expect(r.wrongAccepted).toBe(0);
    expect(r.failedTasks).toBe(0);
    expect(r.dishonestExcluded).toBe(30);
    expect(r.overhead).toBeLessThan(1);
  }, 120_000);

  it("accepts no wrong result with adaptive replication off, at a higher cost", async () => {
    const r = await runByzantine(12, false);
    expect(r.wrongAccepted).toBe(0);
    expect(r.failedTasks).toBe(0);
    expect(r.overhead).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
