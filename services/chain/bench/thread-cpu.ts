import { readFileSync } from "node:fs";

/**
 * A thread's CPU time in ms (Linux /proc; undefined elsewhere): utime + stime, in ticks of 10 ms.
 * `task`: "thread-self" (this thread, the event loop) or a kernel task id (the VerifyPool's threads).
 */
export function taskCpuMs(task: "thread-self" | number): number | undefined {
  try {
    const stat = readFileSync(
      task === "thread-self" ? "/proc/thread-self/stat" : `/proc/self/task/${task}/stat`,
      "utf8",
    );
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
