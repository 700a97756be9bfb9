import { createLogger } from "@p2pnode/kit";
import type { RemoteAttempt, RemoteJob } from "@p2pnode/types";
import { afterAll, describe, expect, it } from "vitest";
import { P2PTransport, type PeerPort } from "../src/peers/p2p-transport.js";
import { RESCUE_CHAIN_HASH, type ZkpPort } from "../src/peers/proved.js";
import { SandboxPool } from "../src/sandbox/sandbox-pool.js";
import { LocalTransport } from "../src/scheduler/local-transport.js";
import type { JobSpec } from "../src/scheduler/transport.js";

/*
 * The P2P transport's own rules, with the gateway and zkp service played in memory (the devnet
 * e2e runs the real ones): the worker list, canonical re-encoding of peers' values, refusals,
 * and proved answers that count only with a proof that verifies.
 */

const log = createLogger("test", "silent");
const pool = new SandboxPool(
  { threads: 1, maxQueue: 4, graceMs: 500, stackSizeMb: 32, recycleAfterJobs: 1000 },
  { log },
);
afterAll(() => pool.stop());
const local = new LocalTransport(pool, () => undefined);

type WorkerList = { id: string; slots: number }[];

function rig(
  answer: (job: RemoteJob) => RemoteAttempt,
  peers: WorkerList | (() => Promise<WorkerList>) = [{ id: "ab".repeat(32), slots: 50 }],
  refreshMs = 60_000,
) {
  const offered: RemoteJob[] = [];
  const bad: string[] = [];
  const verified: unknown[] = [];
  const port: PeerPort = {
    workers: async () => (typeof peers === "function" ? peers() : peers),
    offer: async (_peer, job) => {
      offered.push(job);
      return answer(job);
    },
  };
  const zkp: ZkpPort = {
    prove: async () => ({ digest: [1, 2, 3, 4], proof: "AAAA", proveMs: 1 }),
    verify: async (req) => {
      verified.push(req.publicInputs);
      return { valid: req.proof === "Z29vZA==", verifyMs: 1 };
    },
  };
  const t = new P2PTransport(
    {
      local,
      peers: port,
      zkp,
      log,
      functionBytes: () => new Uint8Array([1, 2, 3]),
      onBadProof: (w) => bad.push(w),
    },
    { refreshMs, maxSlotsPerPeer: 8, offerGraceMs: 1_000 },
  );
  return { t, offered, bad, verified };
}

const spec = (over: Partial<JobSpec> = {}): JobSpec => ({
  attemptId: "t/0/1",
  taskId: "t",
  jobIndex: 0,
  functionHash: "cd".repeat(32),
  input: "1",
  limits: { memoryBytes: 1 << 24, budget: 1e6, deadlineMs: 1_000 },
  ...over,
});
const peer = "ab".repeat(32);
const signal = new AbortController().signal;

/** Resolves once `f()` holds, polling every few milliseconds (bounded by the test's timeout). */
async function until(f: () => boolean): Promise<void> {
  while (!f()) await new Promise((r) => setTimeout(r, 5));
}

describe("P2PTransport", () => {
  it("keeps the peers it knows while the gateway does not answer, and drops them when it lists none", async () => {
    let calls = 0;
    let gateway: () => Promise<WorkerList> = async () => [{ id: peer, slots: 50 }];
    const { t } = rig(
      () => ({ kind: "failed", code: "X", message: "" }),
      () => {
        calls++;
        return gateway();
      },
      5,
    );
    await t.start();
    const ids = () => t.workers().map((w) => w.id);
    expect(ids()).toEqual(["local", peer]);
    // A request that timed out says nothing about the peers.
    gateway = () => Promise.reject(new Error("no answer in 2000 ms"));
    const before = calls;
    await until(() => calls >= before + 3);
    expect(ids()).toEqual(["local", peer]);
    // An answer with no peers does: they are gone.
    gateway = async () => [];
    const again = calls;
    await until(() => calls >= again + 2);
    t.stop();
    expect(ids()).toEqual(["local"]);
  });

  it("lists this node and the peers with capacity, each peer capped at 8 slots", async () => {
    const { t } = rig(() => ({ kind: "failed", code: "X", message: "" }));
    let changed = 0;
    t.onChange(() => changed++);
    await t.start();
    t.stop();
    expect(t.workers()).toEqual([
      { id: "local", slots: 2, self: true },
      { id: peer, slots: 8 },
    ]);
    expect(changed).toBe(1);
  });

  it("sends the function's bytes with the job and re-encodes a peer's value canonically", async () => {
    const { t, offered } = rig(() => ({
      kind: "result",
      ok: true,
      json: '{ "b": 1, "a": [2] }',
      instructions: 5,
      ms: 2,
    }));
    const r = await t.run(peer, spec({ seed: "0".repeat(32) }), signal);
    expect(r).toEqual({
      kind: "result",
      outcome: { ok: true, json: '{"a":[2],"b":1}' },
      instructions: 5,
      ms: 2,
    });
    expect(offered[0]).toMatchObject({ fn: "AQID", input: "1", seed: "0".repeat(32), proved: "" });
  });

  it("turns a value that is not JSON into a failure, and keeps a refusal a refusal", async () => {
    const { t } = rig(() => ({ kind: "result", ok: true, json: "{nope", instructions: 0, ms: 0 }));
    expect(await t.run(peer, spec(), signal)).toMatchObject({ kind: "failed", code: "BAD_RESULT" });
    const busy = rig(() => ({ kind: "failed", code: "QUEUE_FULL", message: "2 of 2", refused: true }));
    expect(await busy.t.run(peer, spec(), signal)).toMatchObject({ kind: "failed", refused: true });
  });

  it("accepts a proved answer only with a proof that verifies; reports the worker otherwise", async () => {
    const proved = spec({
      functionHash: RESCUE_CHAIN_HASH,
      input: '{"hashes":3,"preimage":[1,2,3,4]}',
      proved: "rescue-chain",
    });
    const value = { kind: "result" as const, ok: true, json: "[5,6,7,8]", instructions: 0, ms: 9 };
    const good = rig(() => ({ ...value, proof: "Z29vZA==" }));
    expect(await good.t.run(peer, proved, signal)).toMatchObject({ kind: "result", proof: "Z29vZA==" });
    // The statement checked names the job's own preimage: a proof for another x cannot pass.
    expect(good.verified).toEqual([{ hashes: 3, digest: [5, 6, 7, 8], preimage: [1, 2, 3, 4] }]);
    const tampered = rig(() => ({ ...value, proof: "YmFk" }));
    expect(await tampered.t.run(peer, proved, signal)).toMatchObject({
      kind: "failed",
      code: "PROOF_INVALID",
    });
    expect(tampered.bad).toEqual([peer]);
    const none = rig(() => value);
    expect(await none.t.run(peer, proved, signal)).toMatchObject({ kind: "failed", code: "PROOF_INVALID" });
    expect(none.offered[0]?.proved).toBe("rescue-chain");
  });
});
