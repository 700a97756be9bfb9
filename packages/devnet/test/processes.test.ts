import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hasExited, isAlive, PIDS_FILE, processState, readPids, waitUntil } from "../src/processes.js";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function pidsFile(content: string): string {
  dir = mkdtempSync(join(tmpdir(), "p2pnode-pids-"));
  mkdirSync(join(dir, "run"));
  writeFileSync(join(dir, PIDS_FILE), content);
  return dir;
}

describe("readPids", () => {
  it("reads what a supervisor writes", () => {
    const d = pidsFile(JSON.stringify({ supervisor: 10, nats: 11, services: { chain: 12, gateway: 13 } }));
    expect(readPids(d)).toEqual({ supervisor: 10, nats: 11, services: { chain: 12, gateway: 13 } });
  });

  it("reads a record written before nats-server started", () => {
    const d = pidsFile(JSON.stringify({ supervisor: 10, services: {} }));
    expect(readPids(d)).toEqual({ supervisor: 10, services: {} });
  });

  // Every pid read here may be signalled: a file that is not a supervisor's is not trusted.
  it.each([
    ["not JSON", "{supervisor: 1"],
    ["not an object", "[1, 2]"],
    ["no supervisor", JSON.stringify({ services: { chain: 12 } })],
    ["a pid as a string", JSON.stringify({ supervisor: "10", services: {} })],
    ["pid 0 (the caller's process group)", JSON.stringify({ supervisor: 10, nats: 0, services: {} })],
    ["a negative pid (a process group)", JSON.stringify({ supervisor: 10, services: { chain: -12 } })],
    ["a fractional pid", JSON.stringify({ supervisor: 10.5, services: {} })],
    ["services as a list", JSON.stringify({ supervisor: 10, services: [12] })],
  ])("refuses %s", (_, content) => {
    expect(readPids(pidsFile(content))).toBeUndefined();
  });

  it("is undefined when there is no file", () => {
    dir = mkdtempSync(join(tmpdir(), "p2pnode-pids-"));
    expect(readPids(dir)).toBeUndefined();
  });
});

describe.runIf(process.platform === "linux")("isAlive", () => {
  it("is true for a running process and false for a zombie, which still answers kill(0)", async () => {
    expect(isAlive(process.pid)).toBe(true);
    expect(processState(process.pid)).toMatch(/^[RSD]$/);
    // The forked child exits at once and its parent never waits for it: a zombie for 30 s. (A
    // shell is no such parent: dash may reap a background job that exits before its `exec`.)
    const parent = spawn(
      "perl",
      ["-e", '$| = 1; my $p = fork; if ($p) { print "$p\\n"; sleep 30 } else { exit 0 }'],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    try {
      const pid = Number(await new Promise<string>((r) => parent.stdout.once("data", (c) => r(String(c)))));
      expect(await waitUntil(() => processState(pid) === "Z", 30_000, 10)).toBe(true);
      expect(() => process.kill(pid, 0)).not.toThrow();
      expect(isAlive(pid)).toBe(false);
      expect(hasExited(pid)).toBe(true); // one thread: nothing of it left but the exit status
      expect(isAlive(parent.pid!)).toBe(true);
      expect(hasExited(parent.pid!)).toBe(false);
    } finally {
      parent.kill("SIGKILL");
    }
  });
});
