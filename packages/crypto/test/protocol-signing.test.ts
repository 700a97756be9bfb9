import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import {
  concatBytes,
  decodeBlock,
  decodeHandshakePayload,
  decodeHeader,
  decodeP2pMessage,
  decodeSignedTransaction,
  encodeP2pMessage,
  fromHex,
  MAX_P2P_MESSAGE_BYTES,
  splitBlock,
  toHex,
} from "@p2pnode/codec";
import { decodeDatagram, decodeMutable, decodeNodeRecord, decodePong } from "@p2pnode/codec/dht";
import { describe, expect, it } from "vitest";
import { INITIATOR, noiseOf, RESPONDER, TRANSPORT_MESSAGES } from "../scripts/handshake-cases.js";
import { protocolVectors } from "../scripts/protocol-cases.js";
import {
  dhtContentKey,
  dhtMutableKey,
  headerHash,
  merkleRoot,
  nodeIdOf,
  openFrame,
  opensslChaChaPoly,
  SIGNING_DOMAINS,
  sealFrame,
  sha256,
  signingBytes,
  txId,
  verify,
  verifyMerkleProof,
  verifyNoiseIdentity,
  verifyTransaction,
} from "../src/index.js";

/*
 * test/vectors/protocol-signing.json, the signed half of PROTOCOL.md's vectors: every signature
 * verifies under verify() over exactly the bytes the file says it covers, every id and hash is
 * recomputed, the handshake is replayed message by message and the frames are opened.
 */

const v = JSON.parse(readFileSync(join(import.meta.dirname, "vectors", "protocol-signing.json"), "utf8"));
const b = (hex: string) => fromHex(hex, "vector");
const ascii = (s: string) => new TextEncoder().encode(s);
/** len(tag) ‖ tag ‖ len(chain id) ‖ chain id, built by hand from the document's rule. */
const prefix = (tag: string, chainId: string) =>
  concatBytes(Uint8Array.of(tag.length), ascii(tag), Uint8Array.of(chainId.length), ascii(chainId));

/** The signature verifies over `signedBytes`, and those are prefix(tag, chain) ‖ `payload`. */
function expectSigned(
  s: { signedBytes: string; signature: string },
  tag: string,
  chainId: string,
  payload: Uint8Array,
  key: Uint8Array,
): void {
  expect(s.signedBytes).toBe(toHex(concatBytes(prefix(tag, chainId), payload)));
  expect(verify(b(s.signature), b(s.signedBytes), key)).toBe(true);
  const other = b(s.signedBytes);
  other[other.length - 1]! ^= 1;
  expect(verify(b(s.signature), other, key)).toBe(false);
}

describe("protocol-signing.json", () => {
  it("is what scripts/protocol-cases.ts generates (pnpm --filter @p2pnode/crypto vectors)", () => {
    const { generatedBy: _, ...committed } = v;
    expect(JSON.parse(JSON.stringify(protocolVectors()))).toEqual(committed);
  });

  it("agrees with PROTOCOL.md's table of signing domains", () => {
    const doc = readFileSync(createRequire(import.meta.url).resolve("@p2pnode/codec/PROTOCOL.md"), "utf8");
    const rows = [...doc.matchAll(/^\| `(\w+)` +\| `(p2pnode\/[^`]+)` +\|/gm)];
    expect(Object.fromEntries(rows.map((r) => [r[1], r[2]]))).toEqual(SIGNING_DOMAINS);
  });

  it("lists every signing domain with its length-prefixed prefix", () => {
    expect(v.signingDomains.map((d: { tag: string }) => d.tag)).toEqual(Object.values(SIGNING_DOMAINS));
    for (const d of v.signingDomains) {
      expect(d.prefix).toBe(toHex(prefix(d.tag, d.chainId)));
      expect(d.prefix).toBe(toHex(signingBytes(d.tag, d.chainId, new Uint8Array(0))));
    }
  });
});

describe("block vectors", () => {
  const blk = v.block;
  it.each(
    blk.transactions as {
      hex: string;
      unsigned: string;
      signedBytes: string;
      signature: string;
      txId: string;
    }[],
  )("transfer $txId: signature over the tx domain, id = SHA-256 of the signed encoding", (t) => {
    const stx = decodeSignedTransaction(b(t.hex));
    if (stx.tx.kind !== "transfer") throw new TypeError(`vector ${t.txId} is not a transfer`);
    expect(verifyTransaction(stx, blk.chainId)).toBe(true);
    expect(verifyTransaction(stx, "p2pnode-main")).toBe(false);
    expectSigned(t, SIGNING_DOMAINS.tx, blk.chainId, b(t.unsigned), stx.tx.from);
    expect(t.txId).toBe(toHex(sha256(b(t.hex))));
    expect(t.txId).toBe(toHex(txId(stx)));
  });

  it("header, hash, Merkle root and proof agree with the block bytes", () => {
    const block = decodeBlock(b(blk.block));
    const frames = splitBlock(b(blk.block));
    expect(toHex(frames.header)).toBe(blk.header);
    expect(frames.txs.map(toHex)).toEqual(blk.transactions.map((t: { hex: string }) => t.hex));
    expect(blk.blockHash).toBe(toHex(sha256(b(blk.header))));
    expect(blk.blockHash).toBe(toHex(headerHash(block.header)));
    const ids = blk.transactions.map((t: { txId: string }) => b(t.txId));
    expect(toHex(merkleRoot(ids))).toBe(blk.txRoot);
    expect(toHex(decodeHeader(b(blk.header)).txRoot)).toBe(blk.txRoot);
    const proof = { ...blk.proofOfTx1, path: blk.proofOfTx1.path.map(b) };
    expect(verifyMerkleProof(b(blk.txRoot), ids[1], proof)).toBe(true);
    expect(verifyMerkleProof(b(blk.txRoot), ids[0], proof)).toBe(false);
  });

  it("the Merkle tree carries an odd node up and hashes leaves and nodes apart", () => {
    const m = v.merkle;
    const [a, c, d] = m.leaves.map(b);
    const leaf = (x: Uint8Array) => sha256(Uint8Array.of(0), x);
    const node = (l: Uint8Array, r: Uint8Array) => sha256(Uint8Array.of(1), l, r);
    expect(m.root).toBe(toHex(node(node(leaf(a), leaf(c)), leaf(d))));
    expect(m.emptyRoot).toBe(toHex(sha256()));
    for (const p of m.proofs) {
      expect(verifyMerkleProof(b(m.root), m.leaves.map(b)[p.index], { ...p, path: p.path.map(b) })).toBe(
        true,
      );
    }
  });
});

interface Frame {
  from: "initiator" | "responder";
  type: string;
  plaintextBytes: number;
  sealedBytes: number;
  plaintext?: string;
  sealed?: string;
  sealedSha256?: string;
}

describe("P2P handshake and frames", () => {
  const hs = v.handshake;
  it("the Noise XX messages replay byte for byte and each identity proof verifies", () => {
    const i = noiseOf(INITIATOR, true);
    const r = noiseOf(RESPONDER, false);
    const [m1, m2, m3] = hs.messages as {
      hex: string;
      handshakeHash: string;
      signedBytes: string;
      payload: string;
    }[];
    expect(toHex(i.writeMessage())).toBe(m1!.hex);
    expect(r.readMessage(b(m1!.hex))).toHaveLength(0);
    const sides = [
      { reader: i, msg: m2!, from: hs.responder },
      { reader: r, msg: m3!, from: hs.initiator },
    ];
    for (const { reader, msg, from } of sides) {
      const writer = reader === i ? r : i;
      expect(toHex(writer.writeMessage(b(msg.payload)))).toBe(msg.hex);
      const payloadBytes = reader.readMessage(b(msg.hex));
      expect(toHex(payloadBytes)).toBe(msg.payload);
      expect(toHex(reader.payloadHash)).toBe(msg.handshakeHash);
      const payload = decodeHandshakePayload(payloadBytes);
      expect(toHex(payload.identityKey)).toBe(from.identityKey);
      expect(toHex(nodeIdOf(payload.identityKey))).toBe(from.nodeId);
      expect(toHex(reader.remoteStaticKey!)).toBe(from.noiseStaticPublic);
      const covered = concatBytes(b(from.noiseStaticPublic), b(msg.handshakeHash));
      expectSigned(
        { ...msg, signature: toHex(payload.signature) },
        SIGNING_DOMAINS.handshake,
        hs.chainId,
        covered,
        payload.identityKey,
      );
      expect(
        verifyNoiseIdentity(
          payload.signature,
          hs.chainId,
          reader.remoteStaticKey!,
          reader.payloadHash,
          payload.identityKey,
        ),
      ).toBe(true);
    }
    expect(toHex(i.handshakeHash)).toBe(hs.finalHandshakeHash);
    expect(toHex(r.handshakeHash)).toBe(hs.finalHandshakeHash);
  });

  it("frames seal with the sender's transport cipher and open with the receiver's, in order", () => {
    const i = noiseOf(INITIATOR, true);
    const r = noiseOf(RESPONDER, false);
    r.readMessage(i.writeMessage());
    i.readMessage(r.writeMessage(b(hs.messages[1].payload)));
    r.readMessage(i.writeMessage(b(hs.messages[2].payload)));
    const [ti, tr] = [i.split(), r.split(opensslChaChaPoly)];
    const ends = {
      initiator: { send: ti.send, receive: tr.receive },
      responder: { send: tr.send, receive: ti.receive },
    };
    hs.transport.forEach((f: Frame, k: number) => {
      const plain = encodeP2pMessage(TRANSPORT_MESSAGES[k]!.message);
      const end = ends[f.from];
      const sealed = sealFrame(end.send, plain);
      expect(sealed.length).toBe(f.sealedBytes);
      expect(f.sealedBytes).toBe(f.plaintextBytes + 16 * Math.ceil(f.plaintextBytes / 65_519));
      if (f.sealed) expect(toHex(sealed)).toBe(f.sealed);
      else expect(toHex(sha256(sealed))).toBe(f.sealedSha256);
      const opened = openFrame(end.receive, sealed, MAX_P2P_MESSAGE_BYTES);
      if (f.plaintext) expect(toHex(opened)).toBe(f.plaintext);
      expect(decodeP2pMessage(opened).type).toBe(f.type);
    });
  });
});

describe("DHT signed objects", () => {
  const dht = v.dht;
  const key = b(dht.publicKey);
  it("the node record's signature covers the record domain and everything before it", () => {
    const rec = decodeNodeRecord(b(dht.nodeRecord.hex));
    expect(toHex(rec.signature)).toBe(dht.nodeRecord.signature);
    expectSigned(dht.nodeRecord, SIGNING_DOMAINS.dhtRecord, dht.chainId, rec.signed, key);
    expect(dht.nodeId).toBe(toHex(nodeIdOf(rec.publicKey)));
  });

  it.each(dht.datagrams as { name: string; hex: string; signedBytes: string; signature: string }[])(
    "datagram $name is signed in the DHT message domain",
    (d) => {
      const dg = decodeDatagram(b(d.hex));
      expect(toHex(dg.signature)).toBe(d.signature);
      expectSigned(d, SIGNING_DOMAINS.dhtMessage, dht.chainId, dg.signed, dg.senderKey);
      expect(verify(dg.signature, signingBytes(SIGNING_DOMAINS.dhtRecord, dht.chainId, dg.signed), key)).toBe(
        false,
      );
      if (d.name.startsWith("PONG")) expect(toHex(decodePong(dg.body).record)).toBe(dht.nodeRecord.hex);
    },
  );

  it("a mutable record is signed in its domain and lives under its derived key", () => {
    const m = decodeMutable(b(dht.mutableRecord.hex));
    expectSigned(dht.mutableRecord, SIGNING_DOMAINS.dhtMutable, dht.chainId, m.signed, m.publisher);
    const derived = sha256(ascii("p2pnode/dht/v1/mutable-key"), Uint8Array.of(0), m.publisher, ascii(m.name));
    expect(dht.mutableRecord.key).toBe(toHex(derived));
    expect(dht.mutableRecord.key).toBe(toHex(dhtMutableKey(m.publisher, m.name)));
  });

  it("content values and manifests live under their SHA-256", () => {
    expect(dht.contentValue.key).toBe(toHex(sha256(b(dht.contentValue.value))));
    expect(dht.manifest.fileId).toBe(toHex(dhtContentKey(b(dht.manifest.hex))));
  });
});
