import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BytesMap } from "../src/bytes-map.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("BytesMap (accounts by address on the commit path)", () => {
  it.each([
    ["copied keys", {}],
    ["borrowed keys (a block's state overlay)", { borrowKeys: true }],
  ])(
    "behaves as a Map keyed by the bytes' hex, over random keys and keys sharing their first 6 bytes: %s",
    (_, o) => {
      const map = new BytesMap<number>(o);
      const model = new Map<string, number>();
      // Half the keys share a 6-byte prefix with another (the collisions anyone can grind), some
      // are shorter than 6 bytes, one is empty.
      const prefix = randomBytes(6);
      const keys: Uint8Array[] = [new Uint8Array(0), Uint8Array.of(1), Uint8Array.of(0, 1)];
      for (let i = 0; i < 200; i++) {
        const k = randomBytes(20);
        if (i % 2 === 0) k.set(prefix);
        keys.push(k, k.subarray(0, 6 + (i % 14)));
      }
      let seed = 1;
      const next = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed;
      };
      for (let step = 0; step < 20_000; step++) {
        const k = keys[next() % keys.length]!;
        const op = next() % 4;
        if (op === 0) expect(map.delete(k)).toBe(model.delete(hex(k)));
        else if (op === 1) {
          map.set(k, step);
          model.set(hex(k), step);
        } else {
          expect(map.get(k)).toBe(model.get(hex(k)));
          expect(map.has(k)).toBe(model.has(hex(k)));
          // The key at the end of a larger buffer (a signature at the end of a tx frame).
          const framed = Buffer.concat([randomBytes(step % 5), k]);
          expect(map.getSuffix(framed, framed.length - k.length)).toBe(model.get(hex(k)));
        }
        expect(map.size).toBe(model.size);
      }
      expect(map.values().sort()).toEqual([...model.values()].sort());
    },
  );

  it("keeps its own copy of a key, so a view into a larger buffer can change or be dropped", () => {
    const map = new BytesMap<string>();
    const body = randomBytes(64);
    const key = body.subarray(10, 30);
    const copy = Uint8Array.from(key);
    map.set(key, "a");
    body.fill(0);
    expect(map.get(copy)).toBe("a");
    expect(map.get(key)).toBeUndefined();
  });

  it("drops whole oldest slots when a bounded cache evicts", () => {
    const map = new BytesMap<number>();
    const a = Uint8Array.from([...Buffer.alloc(6, 7), 1]);
    const b = Uint8Array.from([...Buffer.alloc(6, 7), 2]); // a's slot
    const c = Uint8Array.of(9, 9, 9, 9, 9, 9, 9);
    map.set(a, 1);
    map.set(b, 2);
    map.set(c, 3);
    expect(map.deleteOldest()).toBe(2);
    expect([map.has(a), map.has(b), map.get(c), map.size]).toEqual([false, false, 3, 1]);
    expect(map.deleteOldest()).toBe(1);
    expect(map.deleteOldest()).toBe(0);
  });
});
