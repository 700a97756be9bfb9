import { describe, expect, it } from "vitest";
import { SimulationStalled, VirtualClock } from "../src/clock/index.js";

describe("VirtualClock", () => {
  it("fires timers in due order (ties in scheduling order) and only moves time inside run()", async () => {
    const clock = new VirtualClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 20);
    const cancelled = clock.setTimeout(() => fired.push("never"), 5);
    clock.clearTimeout(cancelled);
    expect(clock.now()).toBe(1_000);
    await clock.advance(30);
    expect(fired).toEqual(["a@1010", "b@1020", "c@1020"]);
    expect(clock.now()).toBe(1_030);
  });

  it("run() returns the work's value once a timer settles it", async () => {
    const clock = new VirtualClock();
    const reply = new Promise<string>((resolve) => clock.setTimeout(() => resolve(`at ${clock.now()}`), 250));
    await expect(clock.run(reply)).resolves.toBe("at 250");
  });

  it("throws SimulationStalled when the work can never settle", async () => {
    const clock = new VirtualClock();
    await expect(clock.run(new Promise(() => undefined))).rejects.toBeInstanceOf(SimulationStalled);
  });
});
