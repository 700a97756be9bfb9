import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface PidsRecord {
  supervisor: number;
  nats?: number;
  services: Record<string, number>;
}

/** The pids a node's supervisor wrote to `<dataDir>/run/pids.json`, if any. */
export function readPids(dataDir: string): PidsRecord | undefined {
  const file = join(dataDir, "run", "pids.json");
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as PidsRecord;
  } catch {
    return undefined;
  }
}

export function allPids(r: PidsRecord | undefined): number[] {
  if (!r) return [];
  return [r.supervisor, ...(r.nats ? [r.nats] : []), ...Object.values(r.services)];
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0); it is gone for every purpose but reaping.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Is `pid` a p2pnode supervisor (and not an unrelated process that reused the pid)? */
export function isSupervisor(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return cmd.includes("node") && cmd.includes("start");
  } catch {
    return false;
  }
}

/** Resident memory of a process in bytes (0 when gone). */
/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (Linux: 100 ticks a second); undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  stepMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
