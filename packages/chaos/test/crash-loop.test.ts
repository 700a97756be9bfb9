import { describe, expect, it } from "vitest";
import { runCrashLoop } from "../src/crash/crash-loop.js";

// The CI form of the crash loop (the 200-kill form: `pnpm --filter @p2pnode/chaos crash-loop`).
describe("the chain service survives SIGKILL at random moments under load", () => {
  it("after 4 kills: integrity_check ok, no acknowledged block or tx lost, digest equals a never-crashed service", async () => {
    const r = await runCrashLoop({ kills: 4, seed: Date.now() % 100_000, maxGapMs: 1_500 });
    expect(r.integrityCheck).toBe("ok");
    expect(r.blocksAcknowledged).toBeGreaterThan(0);
    expect(r.blocksLost).toBe(0);
    expect(r.txsLost).toBe(0);
    expect(r.digest).toBe(r.referenceDigest);
    expect(r.digestsEqual).toBe(true);
  });
});
