import { describe, expect, it } from "vitest";
import { EXT_ONE, type Ext, eInv, eMul, ePow } from "../src/ext.js";
import { add, batchInv, GENERATOR, inv, mul, P, P_BIG, pow, rootOfUnity, sub } from "../src/field.js";
import { cosetIntt, evalPoly, intt, ldeFromCoeffs, ntt } from "../src/ntt.js";

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

describe("KoalaBear field", () => {
  it("multiplies exactly on edge cases next to 0 and p, and on random inputs", () => {
    const edge = [
      0,
      1,
      2,
      3,
      P - 1,
      P - 2,
      P - 3,
      (P - 1) / 2,
      (P + 1) / 2,
      2 ** 30,
      2 ** 31 - 2 ** 24,
      65535,
      65536,
    ];
    const r = rng(7);
    const xs = [...edge];
    for (let i = 0; i < 3000; i++) xs.push(r() % P);
    for (let i = 0; i < 200; i++) xs.push(P - 1 - (r() % 1000), r() % 1000);
    for (const a of xs.slice(0, 400))
      for (const b of xs.slice(0, 400)) expect(mul(a, b)).toBe(Number((BigInt(a) * BigInt(b)) % P_BIG));
    // products whose quotient estimate lands next to an integer: a·b ≡ small or ≡ −small (mod p)
    for (let k = 1; k < 2000; k++) {
      const a = (r() % (P - 1)) + 1;
      for (const target of [k, P - k]) {
        const b = Number((BigInt(target) * BigInt(inv(a))) % P_BIG);
        expect(mul(a, b)).toBe(target % P);
      }
    }
  });

  it("adds and subtracts with wraparound", () => {
    expect(add(P - 1, 1)).toBe(0);
    expect(add(P - 1, P - 1)).toBe(P - 2);
    expect(sub(0, 1)).toBe(P - 1);
  });

  it("has a generator of the full group and 2-adic roots", () => {
    expect(pow(GENERATOR, (P - 1) / 2)).not.toBe(1);
    expect(pow(GENERATOR, (P - 1) / 127)).not.toBe(1);
    const w = rootOfUnity(24);
    expect(pow(w, 2 ** 23)).toBe(P - 1);
    expect(pow(w, 2 ** 24)).toBe(1);
  });

  it("inverts in batch", () => {
    const xs = Uint32Array.from([1, 2, 0, P - 1, 12345]);
    const out = batchInv(xs);
    expect(out[2]).toBe(0);
    for (const i of [0, 1, 3, 4]) expect(mul(xs[i]!, out[i]!)).toBe(1);
  });
});

describe("quartic extension x^4 - 3", () => {
  it("is a field: 3 is a non-square and p ≡ 1 mod 4", () => {
    expect(pow(3, (P - 1) / 2)).toBe(P - 1);
    expect(P % 4).toBe(1);
  });
  it("inverts and satisfies Fermat in F_p^4", () => {
    const r = rng(3);
    for (let i = 0; i < 50; i++) {
      const a: Ext = [r() % P, r() % P, r() % P, r() % P];
      expect(eMul(a, eInv(a))).toEqual(EXT_ONE);
    }
    const a: Ext = [5, 7, 11, 13];
    expect(ePow(a, P_BIG ** 4n - 1n)).toEqual(EXT_ONE);
  });
});

describe("NTT", () => {
  it("round-trips and agrees with direct evaluation", () => {
    const r = rng(1);
    const n = 64;
    const coeffs = Uint32Array.from({ length: n }, () => r() % P);
    const evals = ntt(Uint32Array.from(coeffs));
    const w = rootOfUnity(6);
    for (const i of [0, 1, 17, 63]) expect(evals[i]).toBe(evalPoly(coeffs, pow(w, i)));
    expect(intt(evals)).toEqual(coeffs);
  });
  it("extends to a coset in natural order", () => {
    const r = rng(2);
    const coeffs = Uint32Array.from({ length: 16 }, () => r() % P);
    const lde = ldeFromCoeffs(coeffs, 2, GENERATOR);
    const w = rootOfUnity(6);
    for (let i = 0; i < 64; i++) expect(lde[i]).toBe(evalPoly(coeffs, mul(GENERATOR, pow(w, i))));
    const back = cosetIntt(Uint32Array.from(lde), GENERATOR);
    expect(back.subarray(0, 16)).toEqual(coeffs);
    expect(back.subarray(16).every((v) => v === 0)).toBe(true);
  });
});
