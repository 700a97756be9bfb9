import { describe, expect, it } from "vitest";
import { RecentBytes } from "../src/recent-bytes.js";

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);
const hash = (i: number) => i.toString(16).padStart(64, "0");

describe("recent accepted bytes (getdata without asking the chain)", () => {
  it("keeps txs and blocks apart, and gives back what was put", () => {
    const r = new RecentBytes(1_000);
    r.put("tx", hash(1), bytes(10, 1));
    r.put("block", hash(1), bytes(20, 2));
    expect(r.get("tx", hash(1))).toEqual(bytes(10, 1));
    expect(r.get("block", hash(1))).toEqual(bytes(20, 2));
    expect(r.get("tx", hash(2))).toBeUndefined();
  });

  it("stays within its byte budget, the oldest out first", () => {
    const r = new RecentBytes(100);
    for (let i = 0; i < 10; i++) r.put("tx", hash(i), bytes(30));
    expect(r.totalBytes).toBeLessThanOrEqual(100);
    expect(r.size).toBe(3);
    expect([7, 8, 9].every((i) => r.get("tx", hash(i)) !== undefined)).toBe(true);
    expect(r.get("tx", hash(6))).toBeUndefined();
  });

  it("refreshes an entry put again, and never keeps one larger than the whole budget", () => {
    const r = new RecentBytes(100);
    r.put("tx", hash(1), bytes(40));
    r.put("tx", hash(2), bytes(40));
    r.put("tx", hash(1), bytes(40)); // now the newest
    r.put("tx", hash(3), bytes(40)); // pushes out hash(2), not hash(1)
    expect(r.get("tx", hash(1))).toBeDefined();
    expect(r.get("tx", hash(2))).toBeUndefined();
    expect(r.totalBytes).toBe(80);
    r.put("block", hash(4), bytes(101));
    expect(r.get("block", hash(4))).toBeUndefined();
    expect(r.totalBytes).toBe(80);
  });
});
