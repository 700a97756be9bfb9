import { type Block, decodeBlock, encodeHeader, headerFromJson, headerToJson } from "@p2pnode/codec";
import { headerHash, meetsTarget } from "@p2pnode/crypto";
import { createLogger } from "@p2pnode/kit";
import { eventually } from "@p2pnode/kit/testing";
import type { BlockTemplate } from "@p2pnode/types";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type ChainPort, Miner } from "../src/miner.js";
import { WorkerPool } from "../src/worker-pool.js";

const EASY = `00${"ff".repeat(31)}`;

function templateAt(height: number, target = EASY): BlockTemplate {
  const header = headerToJson({
    version: 1,
    height,
    prevHash: new Uint8Array(32).fill(height),
    txRoot: new Uint8Array(32),
    stateRoot: new Uint8Array(32),
    timestamp: 1_700_000_000_000 + height,
    target: Buffer.from(target, "hex"),
    miner: new Uint8Array(20).fill(9),
    nonce: 0n,
  });
  return {
    header,
    txs: [],
    headerHex: Buffer.from(encodeHeader(headerFromJson(header))).toString("hex"),
    templateId: `t${height}`,
  };
}

/** One hashing thread on the height-1 template, its found blocks handed to `submit`. */
function oneWorkerMiner(submit: ChainPort["submit"]): Miner {
  return new Miner(
    { workers: 1, address: "09".repeat(20), sliceSize: 5_000, refreshMs: 60_000 },
    { log: createLogger("test", "silent"), chain: { template: async () => templateAt(1), submit } },
  );
}

let miner: Miner | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await miner?.stop();
});

describe("Miner", () => {
  it("mines valid blocks on successive templates with 2 workers and counts them", async () => {
    let height = 1;
    const submitted: Block[] = []; // decoded from the bytes the miner submits
    miner = new Miner(
      { workers: 2, address: "09".repeat(20), sliceSize: 5_000, refreshMs: 60_000 },
      {
        log: createLogger("test", "silent"),
        chain: {
          template: async () => templateAt(height),
          submit: async (bytes) => {
            const block = decodeBlock(bytes);
            submitted.push(block);
            height++;
            return { hash: "00".repeat(32), height: block.header.height, status: "connected" };
          },
        },
      },
    );
    miner.start();
    await eventually(
      () => submitted.length,
      (n) => n >= 3,
    );
    await miner.stop();
    for (const [i, block] of submitted.slice(0, 3).entries()) {
      expect(block.header.height).toBe(i + 1);
      const hash = headerHash(encodeHeader(block.header));
      expect(meetsTarget(hash, Buffer.from(EASY, "hex"))).toBe(true);
    }
    const s = miner.status();
    expect(s.blocksFound).toBeGreaterThanOrEqual(3);
    expect(s.hashes).toBeGreaterThan(0);
    expect(s.mining).toBe(false);
  });

  it("moves to a new template when refreshed and never submits work for a stale one", async () => {
    let current = templateAt(10, "00".repeat(32)); // unminable: workers keep searching
    const submitted: Block[] = []; // decoded from the bytes the miner submits
    miner = new Miner(
      { workers: 1, address: "09".repeat(20), sliceSize: 2_000, refreshMs: 60_000 },
      {
        log: createLogger("test", "silent"),
        chain: {
          template: async () => current,
          submit: async (bytes) => {
            const block = decodeBlock(bytes);
            submitted.push(block);
            return { hash: "00".repeat(32), height: block.header.height, status: "connected" };
          },
        },
      },
    );
    miner.start();
    await eventually(
      () => miner!.status(),
      (s) => s.templateHeight === 10 && s.hashes > 0,
    );
    current = templateAt(11);
    await miner.refresh("test");
    await eventually(
      () => submitted.length,
      (n) => n >= 1,
    );
    expect(submitted.every((b) => b.header.height === 11)).toBe(true);
  });

  it("says how many threads hash on the current template, and starts that count over on a new one", async () => {
    let current = templateAt(20, "00".repeat(32)); // unminable: workers keep searching
    miner = new Miner(
      { workers: 2, address: "09".repeat(20), sliceSize: 2_000, refreshMs: 60_000 },
      {
        log: createLogger("test", "silent"),
        chain: {
          template: async () => current,
          submit: async () => {
            throw new Error("unreachable: target is zero");
          },
        },
      },
    );
    expect(miner.status().workersHashing).toBe(0);
    miner.start();
    await eventually(
      () => miner!.status(),
      (s) => s.workersHashing === 2 && s.hashrate > 0,
    );
    current = templateAt(21, "00".repeat(32));
    await miner.refresh("test");
    expect(miner.status().workersHashing).toBe(0); // nobody has hashed on height 21 yet
    await eventually(
      () => miner!.status(),
      (s) => s.workersHashing === 2 && s.templateHeight === 21,
    );
    await miner.stop();
    expect(miner.status()).toMatchObject({ workersHashing: 0, hashrate: 0 });
  });

  it("stop() returns only once a block found before it has been submitted", async () => {
    // The chain holds the first submission until released; stop() is called meanwhile. A block
    // submitted after stop() returned moved the tip under a caller that had stopped the miner to
    // read it (a loaded CI run's partition e2e: the nodes converged on a tip one block past it).
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const submitted: number[] = [];
    let done = 0;
    miner = oneWorkerMiner(async (bytes) => {
      submitted.push(decodeBlock(bytes).header.height);
      await held;
      done++;
      return { hash: "00".repeat(32), height: 1, status: "connected" };
    });
    miner.start();
    await eventually(
      () => submitted.length,
      (n) => n >= 1,
    );
    // The pool's close, observed: once its threads are gone, the old stop() was done.
    const close = vi.spyOn(WorkerPool.prototype, "close");
    let stopped = false;
    const stopping = miner.stop().then(() => {
      stopped = true;
    });
    await close.mock.results[0]!.value;
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false); // the submission is still held
    release();
    await stopping;
    expect(done).toBe(1);
    expect(miner.status()).toMatchObject({ mining: false, blocksFound: 1 });
    expect(submitted).toHaveLength(1);
  });

  it("counts a refused block and keeps mining", async () => {
    let calls = 0;
    miner = oneWorkerMiner(async () => {
      calls++;
      throw Object.assign(new Error("stale"), { code: "PREV_HASH_MISMATCH" });
    });
    miner.start();
    await eventually(
      () => calls,
      (n) => n >= 2,
    );
    expect(miner.status().blocksRejected).toBeGreaterThanOrEqual(2);
    expect(miner.status().mining).toBe(true);
  });
});
