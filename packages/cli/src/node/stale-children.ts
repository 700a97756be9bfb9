import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "@p2pnode/kit/log";

/**
 * A supervisor killed with SIGKILL leaves its children behind (they run in their own process
 * groups). Services notice and exit by themselves; nats-server does not, so on the next start we
 * kill whatever the last pids.json names that still belongs to this data dir.
 */
export function reapStaleChildren(dataDir: string, log: Logger): void {
  const file = join(dataDir, "run", "pids.json");
  if (!existsSync(file)) return;
  let record: { supervisor?: number; nats?: number; services?: Record<string, number> };
  try {
    record = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return;
  }
  const pids = [record.nats, ...Object.values(record.services ?? {})].filter(
    (p): p is number => typeof p === "number",
  );
  for (const pid of pids) {
    if (pid === process.pid || !belongsTo(pid, dataDir)) continue;
    try {
      process.kill(pid, "SIGKILL");
      log.warn({ pid }, "killed a process left over from a previous run of this node");
    } catch {
      // already gone
    }
  }
}

function belongsTo(pid: number, dataDir: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (cmdline.includes(join(dataDir, "nats", "nats.conf"))) return true;
    const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    return environ.includes(`P2PNODE_DATA_DIR=${dataDir}`) && environ.includes("P2PNODE_SUPERVISED=1");
  } catch {
    return false;
  }
}
