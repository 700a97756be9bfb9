import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CodecError,
  decodeHandshakePayload,
  decodeP2pMessage,
  encodeCanonical,
  encodeHandshakePayload,
  encodeP2pMessage,
  MAX_ADDRS,
  MAX_INV_ITEMS,
  MAX_P2P_MESSAGE_BYTES,
  P2P_MESSAGE_CODES,
  peekP2pMessageType,
} from "../src/index.js";
import { p2pMessage } from "./p2p-arbitraries.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const onlyCodecErrors = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof CodecError)) throw err;
  }
};

describe("P2P message codec", () => {
  it("round-trips every message type byte for byte", () => {
    fc.assert(
      fc.property(p2pMessage, (m) => {
        const bytes = encodeP2pMessage(m);
        expect(bytes[0]).toBe(P2P_MESSAGE_CODES[m.type]);
        expect(peekP2pMessageType(bytes)).toBe(m.type);
        const back = decodeP2pMessage(bytes);
        expect(encodeP2pMessage(back)).toEqual(bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it("answers random bytes and mutated messages with a CodecError, never a crash", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => onlyCodecErrors(() => decodeP2pMessage(b))),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(p2pMessage, fc.nat(), fc.integer({ min: 1, max: 255 }), (m, at, x) => {
        const bytes = encodeP2pMessage(m);
        const mutated = bytes.slice();
        mutated[at % mutated.length]! ^= x;
        onlyCodecErrors(() => decodeP2pMessage(mutated));
        onlyCodecErrors(() => decodeP2pMessage(bytes.subarray(0, at % bytes.length)));
      }),
      { numRuns: RUNS },
    );
  });

  it.each([
    ["unknown type", new Uint8Array([0x7f, 0xa0]), "DECODE_UNSUPPORTED"],
    ["empty", new Uint8Array(0), "DECODE_TRUNCATED"],
    ["over 4 MiB", new Uint8Array(MAX_P2P_MESSAGE_BYTES + 1).fill(0x14, 0, 1), "DECODE_OVERSIZE"],
    ["ping over its type limit", new Uint8Array(100).fill(P2P_MESSAGE_CODES.ping, 0, 1), "DECODE_OVERSIZE"],
    ["extra field", concat(P2P_MESSAGE_CODES.ping, encodeCanonical({ nonce: 1, x: 1 })), "DECODE_SCHEMA"],
    [
      "non-canonical key order",
      concat(P2P_MESSAGE_CODES.pong, new Uint8Array([0xa1, 0x65, 110, 111, 110, 99, 101, 0x18, 1])),
      "DECODE_NONCANONICAL",
    ],
  ])("refuses %s", (_name, bytes, code) => {
    expect(() => decodeP2pMessage(bytes)).toThrow(expect.objectContaining({ code }));
  });

  it("enforces inv ≤ 50,000 items and addr ≤ 1,000 entries on both sides", () => {
    const hash = new Uint8Array(32);
    const items = Array.from({ length: MAX_INV_ITEMS }, () => ({ kind: "tx" as const, hash }));
    expect(decodeP2pMessage(encodeP2pMessage({ type: "inv", items })).type).toBe("inv");
    expect(() => encodeP2pMessage({ type: "inv", items: [...items, items[0]!] })).toThrow(CodecError);
    const raw = new Uint8Array((MAX_INV_ITEMS + 1) * 33).fill(1);
    const forged = concat(P2P_MESSAGE_CODES.inv, encodeCanonical({ items: raw }));
    expect(() => decodeP2pMessage(forged)).toThrow(expect.objectContaining({ code: "DECODE_OVERSIZE" }));
    const a = { host: "10.0.0.1", port: 1, nodeId: hash, latencyMs: 0 };
    expect(() => encodeP2pMessage({ type: "addr", addrs: Array(MAX_ADDRS + 1).fill(a) })).toThrow(CodecError);
    const forgedAddr = concat(
      P2P_MESSAGE_CODES.addr,
      encodeCanonical({
        addrs: Array(MAX_ADDRS + 1).fill({ host: "a", port: 1, nodeId: hash, latencyMs: 0 }),
      }),
    );
    expect(() => decodeP2pMessage(forgedAddr)).toThrow(expect.objectContaining({ code: "DECODE_OVERSIZE" }));
  });
});

describe("handshake payload", () => {
  const payload = {
    version: 1,
    chainId: "test-chain",
    genesisHash: new Uint8Array(32).fill(1),
    identityKey: new Uint8Array(32).fill(2),
    signature: new Uint8Array(64).fill(3),
    listenPort: 7101,
    height: 12,
    tipHash: new Uint8Array(32).fill(4),
    totalWork: "123456789012345678901234567890",
    agent: "p2pnode/0.1.0",
  };

  it("round-trips and refuses malformed payloads with CodecErrors", () => {
    const bytes = encodeHandshakePayload(payload);
    expect(decodeHandshakePayload(bytes)).toEqual(payload);
    expect(() => decodeHandshakePayload(new Uint8Array(2000))).toThrow(
      expect.objectContaining({ code: "DECODE_OVERSIZE" }),
    );
    expect(() => encodeHandshakePayload({ ...payload, chainId: "Bad Chain" })).toThrow(CodecError);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const m = bytes.slice();
        m[at % m.length]! ^= x;
        onlyCodecErrors(() => decodeHandshakePayload(m));
      }),
      { numRuns: RUNS },
    );
  });
});

function concat(code: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length);
  out[0] = code;
  out.set(body, 1);
  return out;
}
