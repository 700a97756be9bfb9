import { readFileSync, readlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { hasExited, readPids } from "@p2pnode/devnet";
import type { Logger } from "@p2pnode/kit/log";
import { SERVICE_ENTRY } from "@p2pnode/types";
import { SupervisorError } from "./errors.js";

/** How long reaped processes get to disappear before the port check runs anyway. */
const REAP_WAIT_MS = 10_000;

/** How long a port held by a just-reaped process may take to be released. */
export const PORT_RELEASE_GRACE_MS = 10_000;

/**
 * A supervisor killed with SIGKILL may leave children behind (they run in their own process
 * groups): nats-server where it cannot be tied to its parent's death (no setpriv), a service in
 * the seconds before it notices, or one that hangs, each holding its port. Before the ports are
 * checked, the next start kills whatever the last run/pids.json names that is still a child of a
 * node on this data dir (checked through /proc: a pid may have been reused by anything since) and
 * waits until those processes are gone. A supervisor of this data dir that is still alive is
 * refused: two nodes on one data dir would share its identity and stores.
 */
export async function reapStaleChildren(dataDir: string, log: Logger): Promise<number[]> {
  const record = readPids(dataDir);
  if (!record) return [];
  const sup = record.supervisor;
  if (sup !== process.pid && isSupervisorOf(sup, dataDir)) {
    throw new SupervisorError(
      "ALREADY_RUNNING",
      `a node already runs on ${dataDir} (supervisor pid ${sup}): stop it first`,
    );
  }
  const pids = [record.nats, ...Object.values(record.services)].filter(
    (p): p is number => p !== undefined && p !== process.pid,
  );
  const reaped: number[] = [];
  for (const pid of pids) {
    if (hasExited(pid) || !isChildOf(pid, dataDir)) continue;
    try {
      process.kill(pid, "SIGKILL");
      reaped.push(pid);
      log.warn({ pid }, "killed a process left over from a previous run of this node");
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + REAP_WAIT_MS;
  // Until each has exited with every thread: a zombie leader may still hold its sockets.
  while (!reaped.every(hasExited) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return reaped;
}

function procArgs(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
}

/** The data dir a process was given (P2PNODE_DATA_DIR, resolved against its own cwd). */
function dataDirOf(pid: number): string | undefined {
  const env = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
  const value = env.find((e) => e.startsWith("P2PNODE_DATA_DIR="))?.slice("P2PNODE_DATA_DIR=".length);
  return value === undefined ? undefined : resolve(readlinkSync(`/proc/${pid}/cwd`), value);
}

/** nats-server run with this data dir's config, or a service its supervisor started for it. */
function isChildOf(pid: number, dataDir: string): boolean {
  try {
    const args = procArgs(pid);
    if (args.includes(join(dataDir, "nats", "nats.conf"))) return true;
    const supervised = readFileSync(`/proc/${pid}/environ`, "utf8")
      .split("\0")
      .includes("P2PNODE_SUPERVISED=1");
    const service = args.some((a) => a.endsWith(`/${SERVICE_ENTRY}`));
    return supervised && service && dataDirOf(pid) === resolve(dataDir);
  } catch {
    return false; // gone, or not ours to read
  }
}

/** A live `p2pnode node start` for this data dir. */
function isSupervisorOf(pid: number, dataDir: string): boolean {
  try {
    if (hasExited(pid)) return false;
    const args = procArgs(pid);
    const i = args.lastIndexOf("node");
    return i >= 0 && args[i + 1] === "start" && dataDirOf(pid) === resolve(dataDir);
  } catch {
    return false;
  }
}
