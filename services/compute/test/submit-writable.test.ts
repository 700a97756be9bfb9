import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeFunction } from "@p2pnode/codec";
import { createLogger } from "@p2pnode/kit";
import { CodedError } from "@p2pnode/types";
import { afterAll, describe, expect, it } from "vitest";
import { defaultComputeOptions } from "../src/config.js";
import { ComputeCore } from "../src/core.js";

/*
 * A task submitted while the service was writable, whose supervisor died while the task's
 * function was fetched from the DHT: stored, but not acknowledged by what is now an orphan.
 */
const dir = mkdtempSync(join(tmpdir(), "p2pnode-compute-writable-"));
const bytes = encodeFunction({
  source: "(x) => x * 3",
  limits: { memoryBytes: 8 << 20, budget: 1e6, timeoutMs: 1_000 },
});
const hash = createHash("sha256").update(bytes).digest("hex");
let writable = true;
const core = new ComputeCore(
  { ...defaultComputeOptions, pool: { ...defaultComputeOptions.pool, threads: 1 } },
  {
    dataDir: dir,
    log: createLogger("test", "silent"),
    writable: () => writable,
    dht: {
      put: async () => 0,
      // Only the DHT has the function: the supervisor dies while it is fetched.
      get: async (h) => {
        writable = false;
        return h === hash ? bytes : undefined;
      },
    },
  },
);
core.start();
afterAll(async () => {
  await core.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("compute submit while the service stops being writable", () => {
  it("does not acknowledge the stored task; sent again with its key, it is that task", async () => {
    const req = { function: hash, inputs: [1, 2], replication: 1, adaptive: true };
    const err = await core.submit(req, "orphaned-submit").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodedError);
    expect(err).toMatchObject({ code: "NOT_READY", status: 503 });
    const taskId = (err as CodedError).details as { taskId: string };
    expect(core.store.getTask(taskId.taskId)).toMatchObject({ status: "running", jobsTotal: 2 });

    writable = true;
    const again = await core.submit(req, "orphaned-submit");
    expect(again.replayed).toBe(true);
    expect(again.task.id).toBe(taskId.taskId);
  });
});
