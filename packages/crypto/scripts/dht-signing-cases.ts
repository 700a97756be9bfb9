import { toHex } from "@p2pnode/codec";
import {
  type DatagramFields,
  encodeDatagram,
  encodeFindNode,
  encodeManifest,
  encodeMutable,
  encodeNodeRecord,
  encodePong,
  type Manifest,
  MsgType,
  type MutableFields,
  type NodeRecordFields,
  PADDED_REQUEST_BYTES,
} from "@p2pnode/codec/dht";
import {
  dhtContentKey,
  dhtMutableKey,
  nodeKeyFromSeed,
  SIGNING_DOMAINS,
  type SigningDomain,
  signDomain,
  signingBytes,
} from "../src/index.js";

/*
 * The DHT's signed objects with a real key: node record, datagrams (PING, a padded FIND_NODE,
 * a PONG carrying the record), a mutable record and its key, a content key and a file id. Each
 * lists the exact bytes its signature covers (crypto's signingBytes of the codec's bytes).
 */

export const DHT_CHAIN_ID = "p2pnode-devnet";
const counting = (length: number, start: number) => Uint8Array.from({ length }, (_, i) => (start + i) & 0xff);
export const DHT_SEED = counting(32, 0x11);
const key = nodeKeyFromSeed(DHT_SEED);

export const DHT_RECORD: NodeRecordFields = {
  publicKey: key.publicKey,
  seq: 1_700_000_000_000,
  roles: ["miner", "full"],
  udp: { host: "203.0.113.7", port: 7401 },
  wsPort: 7101,
};

export const DHT_MUTABLE: MutableFields = {
  publisher: key.publicKey,
  name: "profile",
  seq: 3,
  data: new TextEncoder().encode("hello"),
};

export const DHT_CONTENT = new TextEncoder().encode("hello, dht");

export const DHT_MANIFEST: Manifest = {
  size: 100_000,
  chunkSize: 65_536,
  name: "a.bin",
  chunks: [counting(32, 0), counting(32, 0x80)],
};

/** Signs `m` in `domain`, remembering the exact signed bytes for the vectors file. */
function signer(domain: SigningDomain) {
  const seen: { signedBytes?: string; signature?: string } = {};
  const sign = (m: Uint8Array) => {
    const signature = signDomain(key, domain, DHT_CHAIN_ID, m);
    seen.signedBytes = toHex(signingBytes(domain, DHT_CHAIN_ID, m));
    seen.signature = toHex(signature);
    return signature;
  };
  return { sign, seen };
}

const record = encodeNodeRecord(DHT_RECORD, (m) =>
  signDomain(key, SIGNING_DOMAINS.dhtRecord, DHT_CHAIN_ID, m),
);

export const DHT_DATAGRAMS: { name: string; fields: DatagramFields }[] = [
  {
    name: "PING",
    fields: {
      type: MsgType.Ping,
      requestId: counting(8, 1),
      senderKey: key.publicKey,
      senderSeq: DHT_RECORD.seq,
      body: new Uint8Array(0),
    },
  },
  {
    name: "FIND_NODE padded to 400 bytes",
    fields: {
      type: MsgType.FindNode,
      requestId: counting(8, 9),
      senderKey: key.publicKey,
      senderSeq: DHT_RECORD.seq,
      body: encodeFindNode(counting(32, 0x40), PADDED_REQUEST_BYTES - 56 - 64 - 32),
    },
  },
  {
    name: "PONG carrying the node record",
    fields: {
      type: MsgType.Pong,
      requestId: counting(8, 1),
      senderKey: key.publicKey,
      senderSeq: DHT_RECORD.seq,
      body: encodePong({ observed: { host: "198.51.100.9", port: 40_000 }, record }),
    },
  },
];

export function dhtSigningVectors() {
  const rec = signer(SIGNING_DOMAINS.dhtRecord);
  const recordBytes = encodeNodeRecord(DHT_RECORD, rec.sign);
  const mut = signer(SIGNING_DOMAINS.dhtMutable);
  const mutableBytes = encodeMutable(DHT_MUTABLE, mut.sign);
  const manifest = encodeManifest(DHT_MANIFEST);
  return {
    chainId: DHT_CHAIN_ID,
    seed: toHex(DHT_SEED),
    publicKey: toHex(key.publicKey),
    nodeId: key.nodeIdHex,
    nodeRecord: { ...rec.seen, hex: toHex(recordBytes) },
    datagrams: DHT_DATAGRAMS.map((d) => {
      const s = signer(SIGNING_DOMAINS.dhtMessage);
      const hex = toHex(encodeDatagram(d.fields, s.sign));
      return { name: d.name, ...s.seen, hex };
    }),
    mutableRecord: {
      key: toHex(dhtMutableKey(DHT_MUTABLE.publisher, DHT_MUTABLE.name)),
      ...mut.seen,
      hex: toHex(mutableBytes),
    },
    contentValue: { value: toHex(DHT_CONTENT), key: toHex(dhtContentKey(DHT_CONTENT)) },
    manifest: { hex: toHex(manifest), fileId: toHex(dhtContentKey(manifest)) },
  };
}
