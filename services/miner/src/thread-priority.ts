import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";

/**
 * Hash threads run at nice 10. The node's own chain, gateway and other services share the
 * machine with them: validation and relay of the blocks this miner competes for come first, and
 * the hash loop takes what is left. On an idle core the hash rate is the same. (cpuminer drops its
 * threads to idle priority for the same reason.)
 */
export const HASH_THREAD_NICE = 10;

/**
 * Lowers the calling thread only: Linux keeps a nice value per thread, and /proc/thread-self
 * names it ("<pid>/task/<tid>"), so the service's event loop keeps its priority.
 */
export function lowerThreadPriority(nice = HASH_THREAD_NICE): void {
  try {
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    setPriority(tid, nice);
  } catch {
    // Not Linux: the thread keeps the process's priority.
  }
}
