import { ed25519 } from "@noble/curves/ed25519.js";
import { challenge, ED25519_L, le32, mul, torsion } from "../src/ed25519-cases.js";

/*
 * Builds Ed25519 edge cases with @noble/curves point arithmetic: signatures that satisfy the
 * verification equation of *some* verifier while breaking a rule of ours (small-order points,
 * non-canonical encodings, S ≥ L, torsion components). gen-ed25519-vectors.ts records every
 * verifier's verdict on them; the committed file is the regression test.
 */

const { Point } = ed25519;
const L = ED25519_L;
const B = Point.BASE;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));
const utf8 = (s: string) => new TextEncoder().encode(s);

export interface EdgeCase {
  name: string;
  publicKey: string;
  signature: string;
  message: string;
}

const edge = (name: string, a: Uint8Array, r: Uint8Array, s: Uint8Array, m: Uint8Array): EdgeCase => ({
  name,
  publicKey: hex(a),
  signature: hex(r) + hex(s),
  message: hex(m),
});

/** First message "<prefix> n" whose challenge makes `want(k)` true. */
function findMessage(prefix: string, r: Uint8Array, a: Uint8Array, want: (k: bigint) => boolean): Uint8Array {
  for (let n = 0; ; n++) {
    const m = utf8(`${prefix} ${n}`);
    if (want(challenge(r, a, m))) return m;
  }
}

export function edgeCases(): EdgeCase[] {
  const cases: EdgeCase[] = [];
  const zero = le32(0n);
  const identity = Point.ZERO.toBytes();
  const a = 0x1234_5678_9abc_def0_1122_3344_5566_7788n % L; // a fixed secret scalar
  const A = mul(B, a);
  const r = 0x0fed_cba9_8765_4321n;
  const R = mul(B, r);

  // 1. S ≥ L: a valid signature with L added to S satisfies [S]B = R + [k]A for lax verifiers.
  {
    const m = utf8("non-canonical S");
    const k = challenge(R.toBytes(), A.toBytes(), m);
    const s = (r + k * a) % L;
    cases.push(edge("valid signature as is (control)", A.toBytes(), R.toBytes(), le32(s), m));
    cases.push(edge("S + L (non-canonical S)", A.toBytes(), R.toBytes(), le32(s + L), m));
    cases.push(edge("S + 2L", A.toBytes(), R.toBytes(), le32(s + 2n * L), m));
    cases.push(edge("S = 2^256 - 1", A.toBytes(), R.toBytes(), new Uint8Array(32).fill(0xff), m));
  }

  // 2. Small-order A, identity R, S = 0: cofactorless holds whenever [k]A = identity.
  torsion.forEach((T, i) => {
    const enc = T.toBytes();
    const m = findMessage(`small-order A ${i}`, identity, enc, (k) => mul(T, k).is0());
    cases.push(edge(`small-order A (torsion point ${i}), R = identity, S = 0`, enc, identity, zero, m));
  });

  // 3. Non-canonical encodings of small-order points: y = p (≡ 0), y = p + 1 (≡ 1), x sign set on x = 0.
  const nonCanonical = {
    "y = p + 1 (identity)": "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "y = p + 1, sign bit set": "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    "y = 1, sign bit set (identity, -0)": "0100000000000000000000000000000000000000000000000000000000000080",
    "y = p (order 4)": "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  };
  for (const [what, h] of Object.entries(nonCanonical)) {
    cases.push(edge(`non-canonical A: ${what}, R = identity, S = 0`, bytes(h), identity, zero, utf8(what)));
    cases.push(edge(`non-canonical R: ${what}, A = identity, S = 0`, identity, bytes(h), zero, utf8(what)));
  }

  // 4. Identity R with a real key: S = k·a satisfies [S]B = R + [k]A exactly.
  {
    const m = utf8("small-order R");
    const s = (challenge(identity, A.toBytes(), m) * a) % L;
    cases.push(edge("small-order R (identity) with a prime-order key", A.toBytes(), identity, le32(s), m));
  }

  // 5. Mixed-order key A' = [a]B + T (torsion[1], of order 8): cofactored always holds, cofactorless only if 8 | k.
  {
    const A2 = A.add(torsion[1]!).toBytes();
    const Rb = R.toBytes();
    for (const [label, want] of [
      ["k ≡ 0 mod 8 (passes both)", (k: bigint) => k % 8n === 0n],
      ["k ≢ 0 mod 8 (passes cofactored only)", (k: bigint) => k % 8n !== 0n],
    ] as const) {
      const m = findMessage("mixed-order A", Rb, A2, want);
      const s = (r + challenge(Rb, A2, m) * a) % L;
      cases.push(edge(`mixed-order A, ${label}`, A2, Rb, le32(s), m));
    }
  }

  // 6. Mixed-order R' = [r]B + T (torsion[1]): cofactored holds, cofactorless never does.
  {
    const R2 = R.add(torsion[1]!).toBytes();
    const m = utf8("mixed-order R");
    const s = (r + challenge(R2, A.toBytes(), m) * a) % L;
    cases.push(edge("mixed-order R", A.toBytes(), R2, le32(s), m));
  }
  return cases;
}
