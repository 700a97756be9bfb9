import { createHash } from "node:crypto";
import { nodeKeyFromSeed } from "@p2pnode/crypto";
import { describe, expect, it } from "vitest";
import { toHex } from "../src/bytes.js";
import { bytesToIp, ipToBytes } from "../src/endpoint.js";
import { decodeManifest, encodeManifest } from "../src/files.js";
import { createSigner, KeyCache, networkIdOf } from "../src/keys.js";
import { decodeNodes, decodeValue, encodeNodes, encodeValue, ValueKind } from "../src/messages.js";
import { commonPrefixBits, randomIdInBucket } from "../src/node-id.js";
import { decodeRecord, signRecord } from "../src/node-record.js";
import { decodeDatagram, encodeDatagram, MAX_BODY_BYTES, MsgType } from "../src/wire.js";

const network = networkIdOf("p2pnode");
const key = nodeKeyFromSeed(new Uint8Array(32).fill(7));
const signer = createSigner(key.publicKey, key.privateKey, network);
const verifier = new KeyCache(network);

describe("datagram codec", () => {
  it("has a fixed layout (wire test vector: seed 0x07…, request id 01…08, FIND_NODE of 0x00…)", () => {
    const d = encodeDatagram(
      MsgType.FindNode,
      Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
      42,
      new Uint8Array(32),
      signer,
    );
    expect(d.length).toBe(56 + 32 + 64);
    expect(toHex(d.subarray(0, 14))).toBe("5032444801030102030405060708");
    expect(toHex(d.subarray(14, 46))).toBe(toHex(key.publicKey));
    expect(toHex(d.subarray(46, 56))).toBe("000000000000002a0020");
    // Ed25519 is deterministic: the whole datagram is a fixed vector for other implementations
    expect(createHash("sha256").update(d).digest("hex")).toBe(
      "1faae7082fd05e463b9389f1fa4f3c7e3755b268c095918ee3aab7d139c2d59d",
    );
    const back = decodeDatagram(d, verifier);
    expect(back).toMatchObject({
      type: MsgType.FindNode,
      senderSeq: 42,
      senderIdHex: key.nodeIdHex,
      size: d.length,
    });
  });

  it("refuses bodies that would make a datagram over 1,280 bytes", () => {
    expect(() =>
      encodeDatagram(MsgType.Ping, new Uint8Array(8), 1, new Uint8Array(MAX_BODY_BYTES + 1), signer),
    ).toThrow(/exceeds/);
    const max = encodeDatagram(MsgType.Ping, new Uint8Array(8), 1, new Uint8Array(MAX_BODY_BYTES), signer);
    expect(max.length).toBe(1280);
  });
});

describe("node records", () => {
  it("round-trip with IPv4 and IPv6 and bind the id to the key", () => {
    for (const host of ["203.0.113.5", "2001:db8::1"]) {
      const r = signRecord(
        { seq: 5, roles: ["miner", "validator"], udp: { host, port: 7401 }, wsPort: 7101 },
        signer,
      );
      const back = decodeRecord(r.bytes, verifier);
      expect(back).toMatchObject({
        seq: 5,
        roles: ["miner", "validator"],
        udp: { host, port: 7401 },
        wsPort: 7101,
      });
      expect(back.nodeIdHex).toBe(key.nodeIdHex);
    }
  });

  it("a changed byte or another network breaks the signature", () => {
    const r = signRecord(
      { seq: 1, roles: ["full"], udp: { host: "203.0.113.5", port: 7401 }, wsPort: 0 },
      signer,
    );
    const bad = r.bytes.slice();
    bad[45]! ^= 1;
    expect(() => decodeRecord(bad, verifier)).toThrow(/signature/);
    expect(() => decodeRecord(r.bytes, new KeyCache(networkIdOf("other")))).toThrow(/signature/);
  });
});

describe("message bodies", () => {
  it("NODES splits 20 IPv6 contacts so every datagram stays within the limit", () => {
    const contacts = Array.from({ length: 20 }, (_, i) => ({
      publicKey: new Uint8Array(32).fill(i),
      endpoint: { host: `2001:db8::${i + 1}`, port: 7401 },
    }));
    const bodies = encodeNodes(contacts);
    expect(bodies.length).toBe(1);
    const many = encodeNodes([...contacts, ...contacts]);
    expect(many.length).toBe(2);
    for (const b of many) expect(b.length).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(many.flatMap((b) => decodeNodes(b).contacts)).toHaveLength(40);
    expect(decodeNodes(many[1]!)).toMatchObject({ part: 1, parts: 2 });
  });

  it("VALUE fragments outside their reply range are refused", () => {
    const ok = encodeValue({
      kind: ValueKind.Content,
      total: 10,
      replyEnd: 10,
      offset: 5,
      data: new Uint8Array(5),
    });
    expect(decodeValue(ok).offset).toBe(5);
    const bad = encodeValue({
      kind: ValueKind.Content,
      total: 10,
      replyEnd: 8,
      offset: 5,
      data: new Uint8Array(5),
    });
    expect(() => decodeValue(bad)).toThrow(/outside/);
  });
});

describe("addresses and ids", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["::1", "::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["fe80::", "fe80::"],
    ["::ffff:10.0.0.1", "10.0.0.1"],
  ])("IP %s encodes and decodes as %s", (ip, back) => {
    expect(bytesToIp(ipToBytes(ip))).toBe(back);
  });

  it("random ids land in the bucket asked for", () => {
    const self = key.nodeId;
    for (const bits of [0, 1, 7, 8, 100, 255])
      expect(commonPrefixBits(self, randomIdInBucket(self, bits))).toBe(bits);
  });
});

describe("file manifests", () => {
  it("round-trip and refuse inconsistent sizes", () => {
    const m = {
      size: 100_000,
      chunkSize: 65_536,
      name: "a.bin",
      chunks: [new Uint8Array(32), new Uint8Array(32).fill(1)],
    };
    expect(decodeManifest(encodeManifest(m))).toEqual(m);
    expect(() => decodeManifest(encodeManifest({ ...m, size: 200_000 }))).toThrow(/disagree/);
  });
});
