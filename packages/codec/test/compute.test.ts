import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  CodecError,
  canonicalJson,
  decodeFunction,
  encodeCanonical,
  encodeFunction,
  encodeJobOutcome,
  FUNCTION_TAG,
  toHex,
} from "../src/index.js";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("canonical JSON", () => {
  it("sorts keys at every depth, drops whitespace, keeps array order", () => {
    expect(canonicalJson({ b: 1, a: [3, { z: null, y: "é" }], c: { e: true, d: -0.5 } })).toBe(
      '{"a":[3,{"y":"é","z":null}],"b":1,"c":{"d":-0.5,"e":true}}',
    );
    expect(canonicalJson(JSON.parse('{"b": 1e21, "a": 0.1}'))).toBe('{"a":0.1,"b":1e+21}');
    expect(canonicalJson(-0)).toBe("0");
  });

  it("refuses what JSON cannot hold", () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, undefined, () => 1, 1n, new Date(0)])
      expect(() => canonicalJson({ x: bad })).toThrow(CodecError);
  });
});

describe("function encoding", () => {
  const fn = { source: "(x) => x * 2", limits: { memoryBytes: 67108864, budget: 2e9, timeoutMs: 30000 } };

  it("is canonical CBOR with a fixed vector; its SHA-256 is the function's hash", () => {
    const bytes = encodeFunction(fn);
    expect(toHex(bytes)).toBe(
      toHex(encodeCanonical({ tag: FUNCTION_TAG, source: fn.source, limits: fn.limits })),
    );
    // Test vector: a change here changes every function's hash (and its DHT key).
    expect(toHex(bytes)).toBe(
      "a363746167781b7032706e6f64652f636f6d707574652d66756e6374696f6e2f7631666c696d697473a366627564676574" +
        "1a773594006974696d656f75744d731975306b6d656d6f727942797465731a0400000066736f757263656c287829203d3e2078202a2032",
    );
    expect(sha(bytes)).toBe("e093a9c5c470dcbe6b832a1c7e5a98611a370b76c1399b0b03f542e144a37fef");
    expect(decodeFunction(bytes)).toEqual(fn);
  });

  it("decoding refuses another tag, extra keys and non-canonical bytes", () => {
    const other = encodeCanonical({ tag: "p2pnode/other/v1", source: "x", limits: fn.limits });
    expect(() => decodeFunction(other)).toThrow(expect.objectContaining({ code: "DECODE_UNSUPPORTED" }));
    const extra = encodeCanonical({ tag: FUNCTION_TAG, source: "x", limits: fn.limits, more: 1 });
    expect(() => decodeFunction(extra)).toThrow(expect.objectContaining({ code: "DECODE_SCHEMA" }));
    expect(() => decodeFunction(new Uint8Array(70 * 1024))).toThrow(
      expect.objectContaining({ code: "DECODE_OVERSIZE" }),
    );
  });
});

describe("job outcome encoding", () => {
  it("differs for values and errors and is stable", () => {
    const a = encodeJobOutcome({ ok: true, json: "42" });
    const b = encodeJobOutcome({ ok: false, code: "FUNCTION_ERROR", message: "42" });
    expect(toHex(a)).not.toBe(toHex(b));
    expect(toHex(encodeJobOutcome({ ok: true, json: "42" }))).toBe(toHex(a));
  });
});
