import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bytesToIp,
  decodeDatagram,
  decodeFindNode,
  decodeManifest,
  decodeMutable,
  decodeNodeRecord,
  decodeNodes,
  decodePong,
  decodeStore,
  decodeStoreAck,
  decodeValue,
  encodeDatagram,
  encodeFindNode,
  encodeManifest,
  encodeMutable,
  encodeNodeRecord,
  encodeNodes,
  encodeValue,
  ipToBytes,
  MAX_BODY_BYTES,
  MAX_DATAGRAM_BYTES,
  MsgType,
  ValueKind,
} from "../src/dht/index.js";
import { CodecError } from "../src/index.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const STAND_IN = new Uint8Array(64).fill(0x5a);
const sign = () => STAND_IN;
const key = new Uint8Array(32).fill(7);
const datagram = (type: MsgType, body: Uint8Array) =>
  encodeDatagram({ type, requestId: new Uint8Array(8), senderKey: key, senderSeq: 1, body }, sign);

describe("DHT datagrams", () => {
  it("hand the signer exactly header ‖ body and append its 64 bytes", () => {
    let seen: Uint8Array | undefined;
    const d = encodeDatagram(
      {
        type: MsgType.Ping,
        requestId: new Uint8Array(8).fill(1),
        senderKey: key,
        senderSeq: 42,
        body: Uint8Array.of(9),
      },
      (m) => {
        seen = m.slice();
        return STAND_IN;
      },
    );
    expect(seen).toEqual(d.subarray(0, 57));
    const back = decodeDatagram(d);
    expect(back.signed).toEqual(seen);
    expect(back.signature).toEqual(STAND_IN);
    expect(back).toMatchObject({ type: MsgType.Ping, senderSeq: 42, body: Uint8Array.of(9), size: 57 + 64 });
  });

  it("stay within 1,280 bytes: the largest body fits, one more byte is refused", () => {
    expect(datagram(MsgType.Ping, new Uint8Array(MAX_BODY_BYTES)).length).toBe(MAX_DATAGRAM_BYTES);
    expect(() => datagram(MsgType.Ping, new Uint8Array(MAX_BODY_BYTES + 1))).toThrow(
      expect.objectContaining({ code: "ENCODE_INVALID" }),
    );
  });

  it.each([
    ["1,281 bytes", () => new Uint8Array(MAX_DATAGRAM_BYTES + 1), "DECODE_OVERSIZE", undefined],
    ["10 bytes", () => new Uint8Array(10), "DECODE_TRUNCATED", undefined],
    ["wrong magic", () => flip(datagram(MsgType.Ping, new Uint8Array(0)), 0), "DECODE_MALFORMED", "magic"],
    [
      "version 1",
      () => set(datagram(MsgType.Ping, new Uint8Array(0)), 4, 1),
      "DECODE_UNSUPPORTED",
      "version",
    ],
    ["type 77", () => set(datagram(MsgType.Ping, new Uint8Array(0)), 5, 77), "DECODE_UNSUPPORTED", "type"],
    [
      "a body longer than the datagram",
      () => set(datagram(MsgType.Ping, new Uint8Array(0)), 55, 9),
      "DECODE_TRUNCATED",
      undefined,
    ],
    [
      "bytes after the signature",
      () => Uint8Array.of(...datagram(MsgType.Ping, new Uint8Array(0)), 0),
      "DECODE_TRAILING",
      undefined,
    ],
    [
      "a record seq above 2^53",
      () => set(datagram(MsgType.Ping, new Uint8Array(0)), 46, 0x01),
      "DECODE_SCHEMA",
      undefined,
    ],
  ])("refuse %s with %s", (_name, bytes, code, field) => {
    expect(() => decodeDatagram(bytes())).toThrow(
      expect.objectContaining(field ? { code, details: { field } } : { code }),
    );
  });
});

describe("DHT message bodies", () => {
  it("NODES splits 40 IPv6 contacts into two parts within the body limit", () => {
    const contacts = Array.from({ length: 20 }, (_, i) => ({
      publicKey: new Uint8Array(32).fill(i),
      endpoint: { host: `2001:db8::${i + 1}`, port: 7401 },
    }));
    expect(encodeNodes(contacts)).toHaveLength(1);
    const many = encodeNodes([...contacts, ...contacts]);
    expect(many).toHaveLength(2);
    for (const b of many) expect(b.length).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(many.flatMap((b) => decodeNodes(b).contacts)).toHaveLength(40);
    expect(decodeNodes(many[1]!)).toMatchObject({ part: 1, parts: 2 });
    expect(() => decodeNodes(Uint8Array.of(2, 2, 0))).toThrow(
      expect.objectContaining({ code: "DECODE_SCHEMA" }),
    );
  });

  it("VALUE fragments outside their reply range are refused", () => {
    const value = (replyEnd: number) =>
      encodeValue({ kind: ValueKind.Content, total: 10, replyEnd, offset: 5, data: new Uint8Array(5) });
    expect(decodeValue(value(10)).offset).toBe(5);
    expect(() => decodeValue(value(8))).toThrow(/outside/);
  });

  it("padding must be zero and bodies end where they say", () => {
    expect(decodeFindNode(encodeFindNode(new Uint8Array(32).fill(1), 100))).toEqual(
      new Uint8Array(32).fill(1),
    );
    const padded = encodeFindNode(new Uint8Array(32), 4);
    padded[34] = 1;
    expect(() => decodeFindNode(padded)).toThrow(expect.objectContaining({ code: "DECODE_SCHEMA" }));
    expect(() => decodeFindNode(new Uint8Array(5))).toThrow(
      expect.objectContaining({ code: "DECODE_TRUNCATED" }),
    );
    expect(() => decodeStoreAck(Uint8Array.of(0, 0))).toThrow(
      expect.objectContaining({ code: "DECODE_TRAILING" }),
    );
    expect(() => decodeStoreAck(Uint8Array.of(9))).toThrow(
      expect.objectContaining({ code: "DECODE_SCHEMA" }),
    );
  });

  it("answer random and mutated bytes with a CodecError, never a crash", () => {
    const decoders = [
      decodeDatagram,
      decodePong,
      decodeFindNode,
      decodeNodes,
      decodeValue,
      decodeStore,
      decodeStoreAck,
      decodeNodeRecord,
      decodeMutable,
      decodeManifest,
    ];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1400 }), (b) => {
        for (const decode of decoders) onlyCodecErrors(() => decode(b));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("IP endpoints", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1", 4],
    ["::1", "::1", 16],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", 16],
    ["fe80::", "fe80::", 16],
    ["::ffff:10.0.0.1", "10.0.0.1", 4],
  ])("%s goes on the wire as %s (%i bytes)", (ip, back, size) => {
    expect(ipToBytes(ip)).toHaveLength(size);
    expect(bytesToIp(ipToBytes(ip))).toBe(back);
  });

  it("refuses host names", () => {
    expect(() => ipToBytes("example.org")).toThrow(expect.objectContaining({ code: "ENCODE_INVALID" }));
  });
});

describe("records and manifests", () => {
  it("a node record round-trips and its signed bytes end where the signature starts", () => {
    const f = {
      publicKey: key,
      seq: 5,
      roles: ["miner" as const],
      udp: { host: "203.0.113.5", port: 7401 },
      wsPort: 7101,
    };
    const bytes = encodeNodeRecord(f, sign);
    expect(bytes).toHaveLength(115);
    const back = decodeNodeRecord(bytes);
    expect(back).toMatchObject(f);
    expect(back.signed).toEqual(bytes.subarray(0, 51));
    expect(() => decodeNodeRecord(set(bytes, 0, 1))).toThrow(
      expect.objectContaining({ code: "DECODE_UNSUPPORTED" }),
    );
  });

  it("a mutable record refuses empty or over-long names on both sides", () => {
    expect(() => encodeMutable({ publisher: key, name: "", seq: 1, data: new Uint8Array(0) }, sign)).toThrow(
      CodecError,
    );
    const ok = encodeMutable({ publisher: key, name: "n", seq: 1, data: Uint8Array.of(1) }, sign);
    expect(decodeMutable(ok)).toMatchObject({ name: "n", seq: 1, data: Uint8Array.of(1) });
    expect(() => decodeMutable(set(ok, 33, 0))).toThrow(expect.objectContaining({ code: "DECODE_SCHEMA" }));
  });

  it("a manifest round-trips and refuses inconsistent sizes", () => {
    const m = {
      size: 100_000,
      chunkSize: 65_536,
      name: "a.bin",
      chunks: [new Uint8Array(32), new Uint8Array(32).fill(1)],
    };
    expect(decodeManifest(encodeManifest(m))).toEqual(m);
    expect(() => encodeManifest({ ...m, size: 200_000 })).toThrow(/disagree/);
    const bytes = encodeManifest(m);
    new DataView(bytes.buffer).setUint32(13, 1000);
    expect(() => decodeManifest(bytes)).toThrow(expect.objectContaining({ code: "DECODE_SCHEMA" }));
  });

  it("a long file name is cut at a character boundary, never inside one", () => {
    const m = { size: 1, chunkSize: 1, name: "é".repeat(40), chunks: [new Uint8Array(32)] };
    expect(decodeManifest(encodeManifest(m)).name).toBe("é".repeat(32));
  });
});

function flip(b: Uint8Array, at: number): Uint8Array {
  b[at]! ^= 0xff;
  return b;
}

function set(b: Uint8Array, at: number, v: number): Uint8Array {
  const out = b.slice();
  out[at] = v;
  return out;
}

function onlyCodecErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof CodecError)) throw err;
  }
}
