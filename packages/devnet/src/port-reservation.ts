import { chmodSync, mkdirSync, readdirSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAlive } from "./processes.js";

/*
 * Test port blocks reserved across processes. freePortBase checks that a devnet's ports are free,
 * but two test processes that start devnets at the same moment (CI runs two lanes of packages at
 * once; several checkouts may test on one machine) can both find the same ports free before
 * either binds them, and one devnet's node then dies with "port … already in use". A process
 * reserves the (lane, block) pairs it takes by a file named for them and its pid; another process
 * skips a pair held by a live pid. The files go in the system's /tmp, not TMPDIR: every test run
 * has a TMPDIR of its own (vitest.tmpdir.ts), and the reservations must be seen by all of them.
 */

const DIR = join(process.platform === "win32" ? tmpdir() : "/tmp", "p2pnode-port-blocks");
const held: string[] = [];
let cleanupInstalled = false;

/** A pair's files are `<lane>-<block>.<pid>`. */
const prefixOf = (lane: number, block: number) => `${lane}-${block}.`;

/**
 * Whether a live process other than this one holds any of `pairs` (file-name prefixes). Files of
 * dead pids are removed on the way, whatever their pair: a test process that was killed, or ended
 * without running its exit hook (vitest's workers do), leaves its files behind.
 */
function heldByAnother(names: string[], pairs: Set<string>): boolean {
  const liveness = new Map<number, boolean>();
  let taken = false;
  for (const name of names) {
    const dot = name.lastIndexOf(".");
    const pid = Number(name.slice(dot + 1));
    if (pid === process.pid) continue;
    let live = liveness.get(pid);
    if (live === undefined) {
      live = Number.isInteger(pid) && pid > 0 && isAlive(pid);
      liveness.set(pid, live);
    }
    if (!live) unlinkQuietly(join(DIR, name));
    else if (pairs.has(name.slice(0, dot + 1))) taken = true;
  }
  return taken;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Gone already (its owner or another process removed it).
  }
}

/**
 * Reserves blocks `block` … `block + count - 1` of `lane` for this process until it exits (or
 * `release()`); undefined when another live process, or an earlier reservation of this one, holds
 * one of them. Two processes that reserve the same pair at once both see the other's file and both
 * back off: never do both hold it. Where the directory cannot be written (another user's), it
 * reserves nothing: the caller's free-port check is all there is, as before.
 */
export function reservePortBlocks(
  lane: number,
  block: number,
  count: number,
): { release(): void } | undefined {
  const pairs: string[] = [];
  for (let b = block; b < block + count; b++) pairs.push(prefixOf(lane, b));
  const mine: string[] = [];
  const release = () => {
    for (const path of mine) {
      unlinkQuietly(path);
      const i = held.indexOf(path);
      if (i >= 0) held.splice(i, 1);
    }
  };
  try {
    // Shared by every user's test runs, as /tmp is (the umask would narrow mkdir's mode).
    if (mkdirSync(DIR, { recursive: true }) !== undefined) chmodSync(DIR, 0o1777);
    for (const pair of pairs) {
      const path = join(DIR, `${pair}${process.pid}`);
      if (held.includes(path)) {
        release();
        return undefined;
      }
      writeFileSync(path, "");
      mine.push(path);
    }
  } catch {
    release();
    return { release: () => undefined };
  }
  if (heldByAnother(readdirSync(DIR), new Set(pairs))) {
    release();
    return undefined;
  }
  held.push(...mine);
  if (!cleanupInstalled) {
    cleanupInstalled = true;
    process.on("exit", releaseAllPortBlocks);
  }
  return { release };
}

/** Removes every reservation of this process (on exit; a killed process's are skipped as stale). */
function releaseAllPortBlocks(): void {
  for (const path of held.splice(0)) unlinkQuietly(path);
}
