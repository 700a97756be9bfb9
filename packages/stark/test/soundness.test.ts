import { describe, expect, it } from "vitest";
import {
  DEFAULT_PARAMS,
  decodeProof,
  encodeProof,
  FibonacciAir,
  fibonacciTrace,
  P,
  prove,
  RescueChainAir,
  rescueChainTrace,
  StarkError,
  type StarkParams,
  verify,
  ZK_PARAMS,
} from "../src/index.js";

/** Few queries keep the exhaustive byte-flip loop cheap; soundness does not depend on it. */
const PLAIN: StarkParams = {
  blowupLog: 2,
  queries: 4,
  grindingBits: 1,
  foldLog: 2,
  maxRemainderLog: 1,
  zk: false,
};
const LOOSE = { minConjecturedBits: 0 };
/** The long form of the byte-flip test (see the README's Tests section on P2PNODE_LONG). */
const EVERY_BYTE = process.env.P2PNODE_LONG === "1";

function rejects(fn: () => unknown, code?: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(StarkError);
  if (code) expect((err as StarkError).code).toBe(code);
}

/** Every soundness and robustness check runs on a plain proof and on a zero-knowledge one. */
for (const zk of [false, true]) {
  const TINY: StarkParams = { ...PLAIN, zk };
  const mode = zk ? "zk" : "plain";
  const hashes = 5;
  const { trace, digest } = rescueChainTrace([11, 22, 33, 44], hashes, TINY);
  const air = new RescueChainAir({ hashes, digest }, TINY);
  const proof = prove(air, trace, { params: TINY });
  const bytes = encodeProof(proof);

  describe(`proof codec (${mode})`, () => {
    it("round-trips deterministically (a new ZK proof differs, a new plain one does not)", () => {
      const again = encodeProof(decodeProof(bytes));
      expect(again).toEqual(bytes);
      const fresh = encodeProof(prove(air, trace, { params: TINY }));
      if (zk) expect(fresh).not.toEqual(bytes);
      else expect(fresh).toEqual(bytes);
    });

    it("rejects every truncation and any trailing byte", () => {
      for (let len = 0; len < bytes.length; len++)
        rejects(() => decodeProof(bytes.subarray(0, len)), "PROOF_MALFORMED");
      const longer = new Uint8Array(bytes.length + 1);
      longer.set(bytes);
      rejects(() => decodeProof(longer), "PROOF_MALFORMED");
    });

    it("rejects non-canonical field elements", () => {
      const p = decodeProof(bytes);
      p.traceRows[0] = P;
      rejects(() => decodeProof(encodeProof(p)), "PROOF_MALFORMED");
    });
  });

  describe(`soundness (${mode})`, () => {
    it("accepts the valid proof", () => {
      verify(air, decodeProof(bytes), LOOSE);
    });

    // Every byte under P2PNODE_LONG=1 (thousands of verifications, two minutes of CI on 2 cores);
    // otherwise every 7th byte — 7 is coprime with the 8-byte field words, so the sample still
    // hits every byte offset within a word, in every section of the proof — flipping a bit that
    // cycles through all eight.
    it("rejects a flip of any single byte", { timeout: 300_000 }, () => {
      const stride = EVERY_BYTE ? 1 : 7;
      let flipped = 0;
      for (let i = 0; i < bytes.length; i += stride) {
        const bad = Uint8Array.from(bytes);
        bad[i]! ^= 1 << (Math.floor(i / stride) % 8);
        rejects(() => verify(air, decodeProof(bad), LOOSE));
        flipped++;
      }
      expect(flipped).toBeGreaterThanOrEqual(Math.floor(bytes.length / stride));
    });

    it("rejects a changed public input, even when the proof is edited to match", () => {
      const other = new RescueChainAir(
        { hashes, digest: [digest[0]!, digest[1]!, digest[2]!, (digest[3]! + 1) % P] },
        TINY,
      );
      rejects(() => verify(other, decodeProof(bytes), LOOSE), "PROOF_INVALID");
      const edited = decodeProof(bytes);
      edited.publicInputs = other.publicInputWords();
      rejects(() => verify(other, edited, LOOSE), "PROOF_INVALID");
      const longer = new RescueChainAir({ hashes: hashes + 1, digest }, TINY);
      rejects(() => verify(longer, decodeProof(bytes), LOOSE));
    });

    it("refuses a wrong witness, and rejects a proof forced from one", () => {
      for (const [col, row] of [
        [0, 3],
        [5, 9],
        [9, 7],
        [11, 40],
      ] as const) {
        const bad = trace.map((c) => Uint32Array.from(c));
        bad[col]![row] = (bad[col]![row]! + 1) % P;
        rejects(() => prove(air, bad, { params: TINY }), "BAD_WITNESS");
        const forced = prove(air, bad, { params: TINY, skipWitnessCheck: true });
        rejects(() => verify(air, decodeProof(encodeProof(forced)), LOOSE), "PROOF_INVALID");
      }
    });

    it("rejects a proof for another AIR", () => {
      const n = 64;
      const fib = new FibonacciAir({ traceLength: n, result: fibonacciTrace(n)[1]![n - 1]! });
      const fibProof = prove(fib, fibonacciTrace(n), { params: PLAIN });
      rejects(() => verify(air, fibProof, LOOSE), "AIR_MISMATCH");
      rejects(() => verify(fib, proof, LOOSE), "AIR_MISMATCH");
      const renamed = decodeProof(bytes);
      renamed.airId = fib.id;
      rejects(() => verify(fib, renamed, LOOSE));
    });

    it("rejects parameters below the security floor by default", () => {
      rejects(() => verify(air, proof), "PROOF_INVALID");
    });

    it("verifies with the default ~100-bit parameters", () => {
      const params = zk ? ZK_PARAMS : DEFAULT_PARAMS;
      const t = rescueChainTrace([11, 22, 33, 44], hashes, params);
      const a = new RescueChainAir({ hashes, digest: t.digest }, params);
      verify(a, decodeProof(encodeProof(prove(a, t.trace, { params }))));
    });
  });

  describe(`robustness (${mode})`, () => {
    it("answers random multi-byte corruptions with a StarkError, never another exception", () => {
      let s = 12345;
      const rnd = (n: number) => {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        return s % n;
      };
      let corrupted = 0;
      for (let t = 0; t < 300; t++) {
        const bad = Uint8Array.from(bytes);
        const k = 1 + rnd(8);
        // bias towards the header, where lengths and parameters live
        for (let j = 0; j < k; j++) bad[rnd(3) === 0 ? rnd(40) : rnd(bad.length)] = rnd(256);
        // A write of the byte already there leaves the proof as it was (about one ZK proof in
        // 500 met such a trial, which then verified): that is no corruption to refuse.
        if (Buffer.compare(bad, bytes) === 0) continue;
        corrupted++;
        rejects(() => verify(air, decodeProof(bad), LOOSE));
      }
      expect(corrupted).toBeGreaterThan(290);
    });

    it("rejects a proof claiming a domain beyond the field's two-adicity", () => {
      const big = new FibonacciAir({ traceLength: 2 ** 22, result: 5 });
      const p = decodeProof(bytes);
      p.airId = big.id;
      p.logTraceLength = 22;
      p.publicInputs = big.publicInputWords();
      p.params = { ...p.params, blowupLog: 4 };
      rejects(() => verify(big, p, LOOSE));
    });
  });
}
