import { type SignedTransaction, signedTransactionToJson } from "@p2pnode/codec";
import { SignedTransactionJson } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import { transferFromBody, txFromJson } from "../src/index.js";
import { transfer } from "./fixtures.js";

/** What POST /txs made of a body before the one-pass reader: the schema, then txFromJson. */
function throughSchema(body: unknown): SignedTransaction | undefined {
  const parsed = SignedTransactionJson.safeParse(body);
  if (!parsed.success) return undefined;
  try {
    return txFromJson(parsed.data);
  } catch {
    return undefined;
  }
}

/** A fixed-seed generator: the same bodies on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

const hexOf = (n: number, rnd: () => number) =>
  Array.from({ length: n }, () =>
    Math.floor(rnd() * 256)
      .toString(16)
      .padStart(2, "0"),
  ).join("");

/** Field values that sit on or next to the schema's edges, of every JSON type. */
const odd: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  "",
  "0",
  "00",
  "01",
  "-1",
  "1e3",
  " 1",
  "18446744073709551615",
  "18446744073709551616",
  "99999999999999999999",
  "123456789012345678901",
  "ABCDEF",
  "abcdeg",
  [],
  {},
  ["transfer"],
];

function validBody(rnd: () => number): Record<string, unknown> {
  const json = signedTransactionToJson(transfer(Math.floor(rnd() * 1000), BigInt(Math.floor(rnd() * 100))));
  const tx = json.tx as Record<string, unknown>;
  const memoBytes = [0, 1, 255, 256, Math.floor(rnd() * 257)][Math.floor(rnd() * 5)]!;
  tx.memo = hexOf(memoBytes, rnd);
  tx.amount = ["0", "1", "18446744073709551615", String(Math.floor(rnd() * 1e15))][Math.floor(rnd() * 4)];
  tx.nonce = [0, Number.MAX_SAFE_INTEGER, Math.floor(rnd() * 1e9)][Math.floor(rnd() * 3)];
  return rnd() < 0.5 ? { id: hexOf(32, rnd), ...json } : { ...json };
}

/** One field of `body` (or of its tx) replaced by a near miss, removed, or joined by a stranger. */
function mangle(body: Record<string, unknown>, rnd: () => number): unknown {
  const copy = structuredClone(body) as Record<string, Record<string, unknown>>;
  const inTx = rnd() < 0.7;
  const target: Record<string, unknown> = inTx ? copy.tx! : copy;
  const keys = [...Object.keys(target), "extra"];
  const key = keys[Math.floor(rnd() * keys.length)]!;
  const current = target[key];
  const r = rnd();
  if (r < 0.1) delete target[key];
  else if (r < 0.45) target[key] = odd[Math.floor(rnd() * odd.length)];
  else if (typeof current === "string" && r < 0.55)
    target[key] = `${current}ab`; // one byte longer
  else if (typeof current === "string" && r < 0.8) {
    const at = Math.floor(rnd() * (current.length + 1));
    const c = "0aAfgz-é"[Math.floor(rnd() * 8)]!;
    const cut = rnd() < 0.5 ? 1 : 0;
    target[key] = current.slice(0, at) + c + current.slice(at + cut);
  } else if (typeof current === "number") target[key] = current + [-1, 1, 0.5][Math.floor(rnd() * 3)]!;
  else target[key] = ["transfer", "shield", "shielded", "Transfer"][Math.floor(rnd() * 4)];
  if (rnd() < 0.05) return [copy];
  return copy;
}

describe("transferFromBody (POST /txs reads a transfer body in one pass)", () => {
  it("gives for a valid transfer body exactly what the schema and txFromJson give", () => {
    const rnd = random(7);
    for (let i = 0; i < 300; i++) {
      const body = validBody(rnd);
      const fast = transferFromBody(body);
      expect(fast, JSON.stringify(body)).toBeDefined();
      expect(fast).toEqual(throughSchema(body));
    }
  });

  it("takes nothing the schema refuses, and every transfer it takes (4,000 mangled bodies)", () => {
    const rnd = random(11);
    let takenByBoth = 0;
    let refusedByBoth = 0;
    for (let i = 0; i < 4000; i++) {
      const body = mangle(validBody(rnd), rnd);
      const fast = transferFromBody(body);
      const slow = throughSchema(body);
      const label = JSON.stringify(body);
      if (fast) {
        expect(slow, label).toBeDefined();
        expect(fast, label).toEqual(slow);
        takenByBoth++;
      } else {
        // Undefined sends the body through the schema: that is right for what the schema refuses,
        // and for a signed transfer it takes it would be a silent slow path.
        const signedTransfer = slow?.tx.kind === "transfer" && slow.signature.length === 64;
        expect(signedTransfer, label).toBe(false);
        refusedByBoth++;
      }
    }
    // Both outcomes occur, so neither branch above is vacuous.
    expect(takenByBoth).toBeGreaterThan(200);
    expect(refusedByBoth).toBeGreaterThan(2000);
  });

  it("leaves other kinds and non-objects to the schema", () => {
    for (const body of [null, [], "tx", 5, { tx: { kind: "shielded" }, signature: "" }])
      expect(transferFromBody(body)).toBeUndefined();
  });
});
