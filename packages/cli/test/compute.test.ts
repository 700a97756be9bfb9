import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort, startTestNode, type TestNode, untilReady } from "@p2pnode/kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * `p2pnode compute …` as a user runs it: the built CLI against a real compute service process
 * (services/compute/dist/bundle.js) on a real nats-server.
 */

const CLI = resolve(import.meta.dirname, "../dist/main.js");
const SERVICE = resolve(import.meta.dirname, "../../../services/compute/dist/bundle.js");
let node: TestNode;
let service: ChildProcess;
let url: string;
const dir = mkdtempSync(join(tmpdir(), "p2pnode-compute-cli-"));

function p2pnode(args: string[], input?: string) {
  return spawnSync(process.execPath, [CLI, ...args, ...(args.includes("--help") ? [] : ["--node", url])], {
    encoding: "utf8",
    input,
    env: { PATH: process.env.PATH },
  });
}

beforeAll(async () => {
  for (const f of [CLI, SERVICE]) if (!existsSync(f)) throw new TypeError(`build first: ${f} is missing`);
  node = await startTestNode("full");
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  service = spawn(process.execPath, [SERVICE], {
    env: { ...node.env, P2PNODE_COMPUTE_PORT: String(port), P2PNODE_COMPUTE_THREADS: "1" },
    stdio: "ignore",
  });
  await untilReady(`${url}/ready`, service);
});
afterAll(async () => {
  if (service && service.exitCode === null) {
    const gone = new Promise((r) => service.once("exit", r));
    service.kill("SIGTERM");
    await gone;
  }
  await node?.stop();
});

describe("p2pnode compute", () => {
  it("--help lists register, submit, status and result", () => {
    const r = p2pnode(["compute", "--help"]);
    expect(r.status).toBe(0);
    for (const c of ["register", "submit", "status", "result"]) expect(r.stdout).toContain(c);
  });

  it("register → submit --wait (progress, result) → status → result", () => {
    writeFileSync(join(dir, "square.js"), "// squares\n(x) => x * x\n");
    const fn = p2pnode(["compute", "register", join(dir, "square.js")]);
    expect(fn.status, fn.stderr).toBe(0);
    const hash = fn.stdout.trim();
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const sum = p2pnode(["compute", "register", "-"], "(xs) => xs.reduce((a, b) => a + b, 0)").stdout.trim();

    const inputs = Array.from({ length: 20 }, (_, i) => i + 1);
    writeFileSync(join(dir, "inputs.json"), JSON.stringify(inputs));
    const sub = p2pnode([
      "compute",
      "submit",
      "--function",
      hash,
      "--inputs",
      join(dir, "inputs.json"),
      "--reduce",
      sum,
      "--wait",
    ]);
    expect(sub.status, sub.stderr).toBe(0);
    const [id, ...rest] = sub.stdout.trim().split("\n");
    expect(JSON.parse(rest.join("\n"))).toBe(inputs.reduce((a, x) => a + x * x, 0));
    expect(sub.stderr).toMatch(/\[#{30}\] 20\/20 jobs/);

    const status = p2pnode(["compute", "status", id!]);
    expect(status.stdout).toMatch(/status:\s+done/);
    expect(status.stdout).toMatch(/jobs:\s+20 done, 0 failed/);
    const result = p2pnode(["compute", "result", id!]);
    expect(JSON.parse(result.stdout)).toBe(2870);
  });

  it("submit --idempotency-key run twice prints one task; another request under the key is refused", () => {
    const hash = p2pnode(["compute", "register", "-"], "(x) => x + 1").stdout.trim();
    const args = ["compute", "submit", "--function", hash, "--inputs", "-", "--idempotency-key", "cli-once"];
    const first = p2pnode(args, "[1, 2]");
    expect(first.status, first.stderr).toBe(0);
    const again = p2pnode(args, "[1, 2]");
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout.trim()).toBe(first.stdout.trim());
    const other = p2pnode(args, "[3]");
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/IDEMPOTENCY_KEY_REUSED|another request/);
  });

  it("reports typed errors with a non-zero exit", () => {
    writeFileSync(join(dir, "bad.js"), "(x) => {");
    const bad = p2pnode(["compute", "register", join(dir, "bad.js")]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/SyntaxError|expecting/);
    const unknown = p2pnode(["compute", "submit", "--function", "ab".repeat(32), "--inputs", "-"], "[1]");
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no function/);
    const notArray = p2pnode(["compute", "submit", "--function", "ab".repeat(32), "--inputs", "-"], "{}");
    expect(notArray.status).toBe(1);
    expect(notArray.stderr).toMatch(/--inputs: a JSON array/);
  });
});
