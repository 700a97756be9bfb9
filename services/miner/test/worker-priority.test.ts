import { readdirSync, readFileSync } from "node:fs";
import { eventually } from "@p2pnode/kit/testing";
import { afterEach, describe, expect, it } from "vitest";
import { HASH_THREAD_NICE } from "../src/thread-priority.js";
import { WorkerPool } from "../src/worker-pool.js";

/** The nice value of every thread of this process, by tid (Linux: field 19 of its stat line). */
function threadNices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      // The command name may hold spaces and parentheses: fields are counted after its last ')'.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(Number(tid), Number(fields[16]));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

let pool: WorkerPool | undefined;
afterEach(async () => {
  await pool?.close();
});

describe.runIf(process.platform === "linux")("hash threads", () => {
  it("run below the service's own threads, which keep their priority", async () => {
    const own = threadNices();
    expect([...own.values()].every((n) => n === 0)).toBe(true);
    pool = new WorkerPool(
      2,
      () => undefined,
      (err) => {
        throw err;
      },
    );
    const lowered = await eventually(
      () => [...threadNices()].filter(([tid, nice]) => !own.has(tid) && nice === HASH_THREAD_NICE),
      (t) => t.length === 2,
    );
    expect(lowered).toHaveLength(2);
    expect(HASH_THREAD_NICE).toBeGreaterThan(0);
    // The event loop's thread (tid = pid) is untouched.
    expect(threadNices().get(process.pid)).toBe(0);
  });
});
