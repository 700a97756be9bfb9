import { afterEach, describe, expect, it } from "vitest";
import type { Chain } from "../src/chain.js";
import { expectedTarget } from "../src/retarget.js";
import { hex } from "../src/store.js";
import { bigIntToTarget, targetToBigInt, workOf } from "../src/work.js";
import { extend, openChain, testGenesis } from "./helpers.js";

const T = 2_000;
const opts = { targetBlockTimeMs: T, retargetWindow: 4, maxFactor: 4 };
const start = bigIntToTarget(1n << 240n);

describe("expectedTarget", () => {
  const at = (height: number, span: number) =>
    targetToBigInt(
      expectedTarget(
        {
          height,
          parentTarget: start,
          parentTimestamp: 1_000_000 + span,
          first: { height: height - 5, timestamp: 1_000_000 },
        },
        opts,
      ),
    );
  it("keeps the parent's target between retarget heights", () => {
    expect(at(5, 1)).toBe(1n << 240n);
  });
  it("falls when blocks came too fast, rises when too slow, in proportion", () => {
    expect(at(8, 4 * T)).toBe(1n << 240n); // on time: unchanged
    expect(at(8, 2 * T)).toBe(1n << 239n); // twice as fast: half the target (twice the work)
    expect(at(8, 8 * T)).toBe(1n << 241n);
  });
  it("is clamped to ×4 / ÷4 whatever the timestamps say", () => {
    expect(at(8, 0)).toBe(1n << 238n);
    expect(at(8, 1000 * T)).toBe(1n << 242n);
  });
  it("never leaves the 256-bit range", () => {
    const max = expectedTarget(
      {
        height: 8,
        parentTarget: bigIntToTarget((1n << 256n) - 1n),
        parentTimestamp: 10 ** 9,
        first: { height: 3, timestamp: 0 },
      },
      opts,
    );
    expect(hex(max)).toBe("ff".repeat(32));
  });
});

describe("difficulty on a chain", () => {
  const opened: Chain[] = [];
  afterEach(() => {
    for (const c of opened.splice(0)) c.store.close();
  });
  const chain = () => {
    const c = openChain(
      testGenesis({ retargetWindow: 4, targetBlockTimeMs: T, initialTarget: `0f${"ff".repeat(31)}` }),
    );
    opened.push(c);
    return c;
  };

  it("moves toward the target block time: fast blocks lower the target, slow blocks raise it", () => {
    const fast = chain();
    extend(fast, 4, { gap: T / 4 });
    const initial = targetToBigInt(fast.store.blockMeta(fast.genesisHash)!.header.target);
    const afterFast = targetToBigInt(fast.tipBlock.header.target);
    expect(fast.tipBlock.height).toBe(4);
    expect(afterFast).toBeLessThan(initial);
    expect(workOf(fast.tipBlock.header.target)).toBeGreaterThan(workOf(bigIntToTarget(initial)));

    const slow = chain();
    extend(slow, 4, { gap: T * 3 });
    expect(targetToBigInt(slow.tipBlock.header.target)).toBeGreaterThan(initial);

    // A chain that then slows down gets easier again at the next window.
    extend(fast, 4, { gap: T * 4 });
    expect(targetToBigInt(fast.tipBlock.header.target)).toBeGreaterThan(afterFast);
  });
});
