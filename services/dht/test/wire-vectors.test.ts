import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fromHex, toHex } from "@p2pnode/codec";
import { decodeDatagram, decodeMutable, decodeNodeRecord } from "@p2pnode/codec/dht";
import { nodeKeyFromSeed } from "@p2pnode/crypto";
import { describe, expect, it } from "vitest";
import { openDatagram, signDatagram } from "../src/datagram.js";
import { decodeRecord, signRecord } from "../src/node-record.js";
import { createSigner, createVerifier } from "../src/signing.js";
import { openMutable, signMutable } from "../src/values.js";

/*
 * The DHT's own signing code against the committed vectors of the protocol (packages/crypto
 * test/vectors/protocol-signing.json, documented in packages/codec PROTOCOL.md): what this
 * service puts on the wire is byte for byte what the document says.
 */

const file = createRequire(import.meta.url).resolve("@p2pnode/crypto/vectors/protocol-signing.json");
const { dht } = JSON.parse(readFileSync(file, "utf8"));
const b = (hex: string) => fromHex(hex, "vector");
const key = nodeKeyFromSeed(b(dht.seed));
const signer = createSigner(key, dht.chainId);
const verifier = createVerifier(dht.chainId);
const elsewhere = createVerifier("p2pnode-main");

describe("the DHT signs what the protocol vectors say", () => {
  it("node record", () => {
    const { publicKey: _k, signed: _s, signature: _g, ...fields } = decodeNodeRecord(b(dht.nodeRecord.hex));
    expect(toHex(signRecord(fields, signer).bytes)).toBe(dht.nodeRecord.hex);
    expect(decodeRecord(b(dht.nodeRecord.hex), verifier).nodeIdHex).toBe(dht.nodeId);
    expect(() => decodeRecord(b(dht.nodeRecord.hex), elsewhere)).toThrow(/signature/);
  });

  it.each(dht.datagrams as { name: string; hex: string }[])("datagram $name", (d) => {
    const f = decodeDatagram(b(d.hex));
    expect(toHex(signDatagram(f.type, f.requestId, f.senderSeq, f.body, signer))).toBe(d.hex);
    expect(openDatagram(b(d.hex), verifier).senderIdHex).toBe(dht.nodeId);
    expect(() => openDatagram(b(d.hex), elsewhere)).toThrow(
      expect.objectContaining({ reason: "bad_signature" }),
    );
  });

  it("mutable record", () => {
    const m = decodeMutable(b(dht.mutableRecord.hex));
    expect(toHex(signMutable(m.name, m.seq, m.data, signer).bytes)).toBe(dht.mutableRecord.hex);
    expect(openMutable(b(dht.mutableRecord.hex), verifier).name).toBe(m.name);
  });
});
