import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * What a supervisor writes to `<dataDir>/run/pids.json` (whole, through a rename): itself, its
 * nats-server once started, and each service it runs right now. The one reader of that file:
 * `devnet`, the tests and the next `node start` (which reaps what a killed supervisor left) use it.
 */
export interface PidsRecord {
  supervisor: number;
  nats?: number;
  services: Record<string, number>;
}

/** Where a node's pids file lives, relative to its data dir. */
export const PIDS_FILE = join("run", "pids.json");

const isPid = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

/**
 * The pids a node's supervisor wrote, or undefined when there is no file or it is not one a
 * supervisor wrote (unparsable, or any pid not a positive integer): a pid read from a file is
 * signalled, so nothing else is trusted.
 */
export function readPids(dataDir: string): PidsRecord | undefined {
  const file = join(dataDir, PIDS_FILE);
  if (!existsSync(file)) return undefined;
  let r: unknown;
  try {
    r = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  if (typeof r !== "object" || r === null) return undefined;
  const { supervisor, nats, services } = r as Record<string, unknown>;
  if (!isPid(supervisor) || (nats !== undefined && !isPid(nats))) return undefined;
  if (typeof services !== "object" || services === null || Array.isArray(services)) return undefined;
  if (!Object.values(services).every(isPid)) return undefined;
  return {
    supervisor,
    ...(nats === undefined ? {} : { nats }),
    services: services as Record<string, number>,
  };
}

export function allPids(r: PidsRecord | undefined): number[] {
  if (!r) return [];
  return [r.supervisor, ...(r.nats ? [r.nats] : []), ...Object.values(r.services)];
}

/**
 * The fields of a /proc stat line after the command name: [0] is the state letter (R, S, D, Z,
 * …), [11] and [12] user and system time in clock ticks (proc(5) numbers them 3, 14 and 15). The
 * name sits in parentheses and may itself hold spaces or ")", so fields count from the last ")".
 * Undefined once the process is gone.
 */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** A process's state letter from /proc (R, S, D, Z for a zombie, …), undefined once it is gone. */
export function processState(pid: number): string | undefined {
  return statFields(pid)?.[0];
}

/** Running: it exists and is not a zombie (a zombie still answers kill(0), but is gone for every purpose but reaping). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const state = processState(pid);
  return state !== undefined && state !== "Z";
}

/**
 * Exited with every thread: gone, or a zombie whose leader is its last task. A multi-threaded
 * process (node) shows "Z" as soon as its leader thread exits, while its other threads still run,
 * hold its sockets and keep its children; only when the last one exits are the children
 * re-parented (what a service's supervision sees) and the sockets closed.
 */
export function hasExited(pid: number): boolean {
  const state = processState(pid);
  if (state === undefined) return true;
  if (state !== "Z") return false;
  try {
    return readdirSync(`/proc/${pid}/task`).length <= 1;
  } catch {
    return true;
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

/** CPU seconds (user + system) a process has used (Linux: 100 ticks a second); undefined once it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  const f = statFields(pid);
  return f && (Number(f[11]) + Number(f[12])) / 100;
}

/** Resident memory of a process in bytes (0 when gone). */
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
