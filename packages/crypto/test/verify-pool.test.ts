import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { readEd25519EdgeVectors } from "../src/ed25519-cases.js";
import {
  accountFromSeed,
  CryptoError,
  type SignedMessage,
  type StartVerifyWorker,
  signRaw,
  startVerifyWorker,
  VerifyPool,
  verify,
  verifyWorkerEntry,
} from "../src/index.js";

const pools: VerifyPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});
function pool(...args: ConstructorParameters<typeof VerifyPool>): VerifyPool {
  const p = new VerifyPool(...args);
  pools.push(p);
  return p;
}

const hex = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
const keys = Array.from({ length: 8 }, (_, i) => accountFromSeed(new Uint8Array(64).fill(i + 1), 0));
const text = new TextEncoder();

/** Valid, wrong-signature, wrong-key and empty-message items, in a fixed mix. */
function mixedItems(n: number): SignedMessage[] {
  return Array.from({ length: n }, (_, i) => {
    const key = keys[i % keys.length]!;
    const message = i % 13 === 0 ? new Uint8Array(0) : text.encode(`item ${i}`);
    const signature = signRaw(key, message);
    switch (i % 4) {
      case 1: {
        const bad = signature.slice();
        bad[i % 64]! ^= 1 << (i % 8);
        return { publicKey: key.publicKey, message, signature: bad };
      }
      case 2:
        return { publicKey: keys[(i + 1) % keys.length]!.publicKey, message, signature };
      default:
        return { publicKey: key.publicKey, message, signature };
    }
  });
}

const edgeItems: SignedMessage[] = readEd25519EdgeVectors().map((c) => ({
  publicKey: hex(c.publicKey),
  signature: hex(c.signature),
  message: hex(c.message),
}));

/** verify()'s verdict, or the code it throws with. */
function direct(it: SignedMessage): boolean | string {
  try {
    return verify(it.signature, it.message, it.publicKey);
  } catch (err) {
    return (err as CryptoError).code;
  }
}
async function pooled(p: VerifyPool, it: SignedMessage): Promise<boolean | string> {
  try {
    return await p.verify(it);
  } catch (err) {
    return (err as CryptoError).code;
  }
}

/** A startWorker that keeps every thread it starts, so a test can kill one. */
function recording(): { start: StartVerifyWorker; workers: Worker[] } {
  const workers: Worker[] = [];
  return {
    workers,
    start: (entry) => {
      const w = startVerifyWorker(entry);
      workers.push(w);
      return w;
    },
  };
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 1));
}

describe("VerifyPool agrees with verify()", () => {
  it("on 4,000 mixed items: valid, wrong signature, wrong key, empty message; verdicts in order", async () => {
    const items = mixedItems(4_000);
    const p = pool({ threads: 2, minChunk: 16 });
    const got = await p.verifyAll(items);
    expect(got).toEqual(items.map((it) => direct(it)));
    expect(got.filter(Boolean).length).toBe(2_000); // cases 0 and 3 of every 4 are valid
    expect(p.stats).toMatchObject({ running: 2, queued: 0, inFlight: 0 });
  });

  it("on every edge case of test/vectors/ed25519-edge.json (small order, non-canonical S, A and R)", async () => {
    const p = pool({ threads: 2, minChunk: 1 });
    const got = await Promise.all(edgeItems.map((it) => pooled(p, it)));
    expect(got).toEqual(edgeItems.map(direct));
    expect(got).toContain(false);
    expect(got).toContain(true);
  });

  it("on malformed lengths and types: the same BAD_INPUT verify() throws, the batch around them unharmed", async () => {
    const [good] = mixedItems(1);
    const malformed: SignedMessage[] = [
      { ...good!, signature: good!.signature.subarray(0, 63) },
      { ...good!, signature: new Uint8Array(65) },
      { ...good!, publicKey: good!.publicKey.subarray(1) },
      { ...good!, publicKey: new Uint8Array(0) },
      { ...good!, message: "not bytes" as unknown as Uint8Array },
      { ...good!, signature: Array.from(good!.signature) as unknown as Uint8Array },
    ];
    const p = pool({ threads: 2, minChunk: 1 });
    const mixed = [good!, ...malformed, good!];
    const got = await Promise.all(mixed.map((it) => pooled(p, it)));
    expect(got).toEqual(mixed.map(direct));
    expect(got).toEqual([true, ...malformed.map(() => "BAD_INPUT"), true]);
  });

  it("on a thousand single submissions spread over many turns, each its own tiny batch", async () => {
    const items = mixedItems(1_000);
    const p = pool({ threads: 2 });
    const got: boolean[] = [];
    for (let i = 0; i < items.length; i += 7) {
      got.push(...(await p.verifyAll(items.slice(i, i + 7))));
      await new Promise((r) => setImmediate(r));
    }
    expect(got).toEqual(items.map(direct));
  });
});

describe("VerifyPool spreads work", () => {
  /** Threads that load and then keep every batch without an answer, counting the batches. */
  function holding(): { start: StartVerifyWorker; batches: number[] } {
    const batches: number[] = [];
    return {
      batches,
      start: () => {
        const i = batches.push(0) - 1;
        const w = new Worker(
          "const { parentPort } = require('node:worker_threads'); parentPort.postMessage({ ready: true }); parentPort.on('message', () => {});",
          { eval: true },
        );
        const post = w.postMessage.bind(w);
        w.postMessage = (...args: Parameters<Worker["postMessage"]>) => {
          batches[i]!++;
          post(...args);
        };
        return w;
      },
    };
  }

  it("small batches stay on one thread while it has room; the next goes to an idle thread", async () => {
    const rec = holding();
    const p = pool({ threads: 2, minChunk: 16 }, { startWorker: rec.start });
    await p.start();
    const pending: Promise<unknown>[] = [];
    const batchOf3 = async () => {
      for (const it of mixedItems(3)) pending.push(pooled(p, it));
      await until(() => p.stats.queued === 0);
    };
    for (let i = 0; i < 5; i++) await batchOf3(); // 15 items in flight on the first thread
    expect(rec.batches).toEqual([5, 0]);
    await batchOf3(); // 18 would exceed minChunk: the other thread takes it
    expect(rec.batches).toEqual([5, 1]);
    expect(p.stats.inFlight).toBe(18);
    // A batch worth splitting goes over both threads, least loaded first.
    for (const it of mixedItems(40)) pending.push(pooled(p, it));
    await until(() => p.stats.queued === 0);
    expect(rec.batches).toEqual([6, 2]);
    await p.close();
    expect(new Set(await Promise.all(pending))).toEqual(new Set(["POOL_CLOSED"]));
  });
});

describe("VerifyPool when a thread dies", () => {
  it("killed mid-batch: its items go again on a new thread, every verdict still right, later items too", async () => {
    const rec = recording();
    const p = pool({ threads: 2, minChunk: 16 }, { startWorker: rec.start });
    const items = mixedItems(6_000);
    const verdicts = p.verifyAll(items);
    await until(() => p.stats.inFlight > 0);
    await rec.workers[0]!.terminate();
    expect(await verdicts).toEqual(items.map(direct));
    expect(p.respawns).toBe(1);
    expect(rec.workers.length).toBe(3); // the dead one was replaced
    const later = mixedItems(500);
    expect(await p.verifyAll(later)).toEqual(later.map(direct));
  });

  it("a thread that dies on every batch: items rejected with WORKER_FAILED after one retry, never left pending", async () => {
    let started = 0;
    const poisoned: StartVerifyWorker = () => {
      started++;
      return new Worker("require('node:worker_threads').parentPort.on('message', () => process.exit(7));", {
        eval: true,
      });
    };
    const p = pool({ threads: 2, minChunk: 1 }, { startWorker: poisoned });
    const got = await Promise.all(mixedItems(40).map((it) => pooled(p, it)));
    expect(new Set(got)).toEqual(new Set(["WORKER_FAILED"]));
    expect(started).toBeGreaterThanOrEqual(3); // the first threads and at least one replacement
    const err = await p.verify(mixedItems(1)[0]!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CryptoError);
    expect((err as CryptoError).status).toBe(503);
  });
});

describe("VerifyPool.verifyTo() (the outcome to a sink, no promise per item)", () => {
  /** Every item's outcome as verifyTo hands it: a verdict or an error code, once each. */
  async function sunk(p: VerifyPool, items: readonly SignedMessage[]): Promise<(boolean | string)[]> {
    const out: (boolean | string)[] = [];
    let calls = 0;
    await new Promise<void>((done) => {
      items.forEach((item, i) => {
        const settle = (v: boolean | string) => {
          expect(out[i], `item ${i} settled twice`).toBeUndefined();
          out[i] = v;
          if (++calls === items.length) done();
        };
        p.verifyTo(item, { verdict: settle, failed: (err) => settle((err as CryptoError).code) });
      });
    });
    return out;
  }

  it("gives each item verify()'s verdict, and a bad input's code never before the call returns", async () => {
    const p = pool({ threads: 2, minChunk: 4 });
    const items = mixedItems(200);
    expect(await sunk(p, items)).toEqual(items.map(direct));
    let failedAt: "during" | "after" | undefined;
    let returned = false;
    p.verifyTo(
      { ...items[0]!, signature: new Uint8Array(63) },
      {
        verdict: () => undefined,
        failed: () => {
          failedAt = returned ? "after" : "during";
        },
      },
    );
    returned = true;
    await until(() => failedAt !== undefined);
    expect(failedAt).toBe("after");
  });

  it("hands POOL_CLOSED to what a closed pool is given", async () => {
    const p = pool({ threads: 1 });
    await p.close();
    expect(await sunk(p, mixedItems(3))).toEqual(["POOL_CLOSED", "POOL_CLOSED", "POOL_CLOSED"]);
  });
});

describe("VerifyPool.close()", () => {
  it("rejects queued and in-flight items with POOL_CLOSED and ends every thread", async () => {
    const rec = recording();
    const exited: number[] = [];
    const p = pool(
      { threads: 2, minChunk: 16 },
      {
        startWorker: (entry) => {
          const w = rec.start(entry);
          w.on("exit", (code) => exited.push(code));
          return w;
        },
      },
    );
    const inFlight = Promise.all(mixedItems(4_000).map((it) => pooled(p, it)));
    await until(() => p.stats.inFlight > 0);
    const queued = pooled(p, mixedItems(1)[0]!);
    await p.close();
    const codes = new Set([...(await inFlight), await queued]);
    expect(codes.has("POOL_CLOSED")).toBe(true);
    expect([...codes].every((c) => c === "POOL_CLOSED" || typeof c === "boolean")).toBe(true);
    expect(await queued).toBe("POOL_CLOSED");
    expect(exited.length).toBe(rec.workers.length);
    expect(p.stats.running).toBe(0);
    expect(await pooled(p, mixedItems(1)[0]!)).toBe("POOL_CLOSED");
  });

  it("start() loads every thread before the first submission; the poisoned-thread stub ends it too", async () => {
    const rec = recording();
    const p = pool({ threads: 2 }, { startWorker: rec.start });
    await p.start();
    expect(p.stats.running).toBe(2);
    expect(rec.workers.length).toBe(2);
    const items = mixedItems(32);
    expect(await p.verifyAll(items)).toEqual(items.map(direct));
    expect(rec.workers.length).toBe(2); // no thread started on demand
    const dying = pool({ threads: 2 }, { startWorker: () => new Worker("process.exit(3)", { eval: true }) });
    await dying.start(); // resolves although no thread ever becomes ready
    expect(dying.stats.running).toBe(0);
    expect(dying.engine).toBeUndefined(); // no thread said which engine it loaded
  });

  it("refuses a thread count outside 1-256", () => {
    for (const threads of [0, -1, 1.5, 257, Number.NaN])
      expect(() => new VerifyPool({ threads })).toThrow(CryptoError);
  });
});

describe("VerifyPool's thread entry", () => {
  it("runs from sources: the .ts entry under the TypeScript loader", async () => {
    expect(verifyWorkerEntry().pathname.endsWith("/src/verify-pool/verify-worker.ts")).toBe(true);
    const items = mixedItems(64);
    expect(await pool({ threads: 1 }).verifyAll(items)).toEqual(items.map(direct));
  });

  it("runs from the build (dist/, as the production tree does): the .js entry, no loader", async () => {
    const dist = join(import.meta.dirname, "..", "dist", "index.js");
    if (!existsSync(dist)) throw new Error("packages/crypto/dist is missing: run `pnpm build` first");
    const built = (await import(pathToFileURL(dist).href)) as typeof import("../src/index.js");
    expect(built.verifyWorkerEntry().pathname.endsWith("/dist/verify-pool/verify-worker.js")).toBe(true);
    const p = new built.VerifyPool({ threads: 1 });
    try {
      await p.start();
      // The thread loaded sodium-native from the built package as the production tree holds it.
      expect(p.engine).toBe("libsodium");
      const items = mixedItems(64);
      expect(await p.verifyAll(items)).toEqual(items.map(direct));
    } finally {
      await p.close();
    }
  });

  it.runIf(process.platform === "linux")(
    "names each thread's kernel task: one per thread, none the event loop's, its CPU time readable",
    async () => {
      const p = pool({ threads: 2 });
      await p.start();
      const ids = p.taskIds();
      expect(ids).toHaveLength(2);
      expect(new Set(ids).size).toBe(2);
      expect(ids).not.toContain(process.pid);
      const tasks = readdirSync("/proc/self/task").map(Number);
      for (const id of ids) {
        expect(tasks).toContain(id);
        const stat = readFileSync(`/proc/self/task/${id}/stat`, "utf8");
        const cpuTicks = stat
          .slice(stat.lastIndexOf(")") + 2)
          .split(" ")
          .slice(11, 13)
          .map(Number);
        expect(cpuTicks.every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
      }
      await p.close();
      expect(p.taskIds()).toEqual([]);
    },
  );

  it("start() holds the process open while the threads load: a script that only awaits it finishes", () => {
    const dist = pathToFileURL(join(import.meta.dirname, "..", "dist", "index.js")).href;
    const script = `const { VerifyPool } = await import(${JSON.stringify(dist)});
      const p = new VerifyPool({ threads: 2 }); await p.start();
      console.log("started", p.stats.running);
      await p.close();`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("started 2");
    expect(r.status).toBe(0);
  });

  it("falls back to node:crypto where sodium-native is missing, in the threads too, with the same verdicts", () => {
    // The built package copied beside links to every dependency it has but sodium-native: as a
    // platform with no prebuilt addon, where requiring it fails in every thread.
    const pkg = join(import.meta.dirname, "..");
    if (!existsSync(join(pkg, "dist")))
      throw new Error("packages/crypto/dist is missing: run `pnpm build` first");
    const dir = mkdtempSync(join(tmpdir(), "p2pnode-no-sodium-"));
    const copy = join(dir, "crypto");
    cpSync(join(pkg, "dist"), join(copy, "dist"), { recursive: true });
    cpSync(join(pkg, "package.json"), join(copy, "package.json"));
    mkdirSync(join(copy, "node_modules"));
    for (const name of readdirSync(join(pkg, "node_modules")))
      if (!name.startsWith(".") && name !== "sodium-native")
        symlinkSync(realpathSync(join(pkg, "node_modules", name)), join(copy, "node_modules", name));
    const items = mixedItems(40);
    const asArrays = items.map((it) => [[...it.publicKey], [...it.message], [...it.signature]]);
    const script = `const c = await import(${JSON.stringify(pathToFileURL(join(copy, "dist", "index.js")).href)});
      const items = ${JSON.stringify(asArrays)}.map(([publicKey, message, signature]) =>
        ({ publicKey: Uint8Array.from(publicKey), message: Uint8Array.from(message), signature: Uint8Array.from(signature) }));
      const p = new c.VerifyPool({ threads: 2 }); await p.start();
      const pooled = await p.verifyAll(items);
      const inline = items.map((it) => c.verify(it.signature, it.message, it.publicKey));
      console.log(JSON.stringify({ engine: c.ed25519Engine, loaded: c.libsodiumLoaded(), pool: p.engine, inline, pooled }));
      await p.close();`;
    try {
      // Without pnpm's NODE_PATH (its store's hoisted packages, sodium-native among them).
      const { NODE_PATH: _, ...env } = process.env;
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
        encoding: "utf8",
        timeout: 120_000,
        env,
      });
      expect(r.stderr).toBe("");
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ engine: "openssl", loaded: false, pool: "openssl" });
      expect(out.inline).toEqual(items.map(direct));
      expect(out.pooled).toEqual(items.map(direct));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("starts in a process run with the supervisor's V8 flags (a worker refuses per-process flags)", () => {
    const dist = pathToFileURL(join(import.meta.dirname, "..", "dist", "index.js")).href;
    // The pool's threads do not hold a process open; the interval does, as a service's server does.
    const script = `const keep = setInterval(() => {}, 1000);
      const { VerifyPool } = await import(${JSON.stringify(dist)});
      const p = new VerifyPool({ threads: 1 }); await p.start();
      console.log(await p.verify({ publicKey: new Uint8Array(32), message: new Uint8Array(1), signature: new Uint8Array(64) }));
      await p.close(); clearInterval(keep);`;
    const r = spawnSync(process.execPath, ["--max-semi-space-size=1", "--input-type=module", "-e", script], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("false");
    expect(r.status).toBe(0);
  });
});
