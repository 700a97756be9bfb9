import { describe, expect, it } from "vitest";
import { HashrateWindow } from "../src/hashrate-window.js";

describe("HashrateWindow", () => {
  it("is 0 before any report and the rate since the first report within the window", () => {
    const w = new HashrateWindow(10_000);
    expect(w.rate(5_000)).toBe(0);
    w.add(1_000, 10_000);
    w.add(1_000, 11_000);
    expect(w.rate(12_000)).toBe(1_000); // 2,000 hashes over 2 s
    expect(w.rate(10_200)).toBe(2_000); // under 1 s counts as 1 s, not as a burst rate
  });

  it("forgets hashes older than the window, however long it went unread", () => {
    const w = new HashrateWindow(10_000);
    for (let t = 0; t < 100_000; t += 100) w.add(t < 50_000 ? 10_000 : 100, t);
    // The last 10 s reported 100 hashes every 100 ms: 1,000/s; the 100×-higher past is gone.
    expect(w.rate(100_000)).toBeCloseTo(1_000, -1);
  });

  it("starts from nothing after reset", () => {
    const w = new HashrateWindow(10_000);
    w.add(5_000, 1_000);
    w.reset();
    expect(w.rate(2_000)).toBe(0);
    w.add(3_000, 20_000);
    expect(w.rate(21_000)).toBe(3_000);
  });
});
