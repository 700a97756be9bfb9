import { nodeKeyFromSeed } from "@p2pnode/crypto";
import { describe, expect, it } from "vitest";
import { decodeRecord, signRecord } from "../src/node-record.js";
import { createSigner, createVerifier } from "../src/signing.js";
import { openMutable, signMutable } from "../src/values.js";
import { commonPrefixBits, randomIdInBucket } from "../src/xor-metric.js";

const key = nodeKeyFromSeed(new Uint8Array(32).fill(7));
const signer = createSigner(key, "p2pnode");
const verifier = createVerifier("p2pnode");

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

  it("a changed byte, another chain or another signing domain breaks the signature", () => {
    const r = signRecord(
      { seq: 1, roles: ["full"], udp: { host: "203.0.113.5", port: 7401 }, wsPort: 0 },
      signer,
    );
    const bad = r.bytes.slice();
    bad[45]! ^= 1;
    expect(() => decodeRecord(bad, verifier)).toThrow(/signature/);
    expect(() => decodeRecord(r.bytes, createVerifier("other"))).toThrow(/signature/);
    const signed = r.bytes.subarray(0, r.bytes.length - 64);
    expect(verifier.verify("record", key.publicKey, signed, r.signature)).toBe(true);
    expect(verifier.verify("datagram", key.publicKey, signed, r.signature)).toBe(false);
    expect(verifier.verify("mutable", key.publicKey, signed, r.signature)).toBe(false);
  });
});

describe("mutable records", () => {
  it("verify under the publisher's key and refuse a changed byte", () => {
    const rec = signMutable("profile", 3, new TextEncoder().encode("hello"), signer);
    expect(openMutable(rec.bytes, verifier)).toMatchObject({ name: "profile", seq: 3 });
    const bad = rec.bytes.slice();
    bad[bad.length - 70]! ^= 1;
    expect(() => openMutable(bad, verifier)).toThrow(/signature/);
  });

  it("refuse names and data that do not fit, with the REST codes", () => {
    expect(() => signMutable("", 1, new Uint8Array(0), signer)).toThrow(
      expect.objectContaining({ code: "INVALID_VALUE" }),
    );
    expect(() => signMutable("x", 1, new Uint8Array(65_536), signer)).toThrow(
      expect.objectContaining({ code: "VALUE_TOO_LARGE" }),
    );
  });
});

describe("ids", () => {
  it("random ids land in the bucket asked for", () => {
    const self = key.nodeId;
    for (const bits of [0, 1, 7, 8, 100, 255])
      expect(commonPrefixBits(self, randomIdInBucket(self, bits))).toBe(bits);
  });
});
