import {
  blockFromJson,
  blockToJson,
  CodecError,
  decodeBlock,
  decodeDsMessage,
  decodeHandshakePayload,
  decodeHeader,
  decodeP2pMessage,
  decodeSignedTransaction,
  dsMessageFromJson,
  encodeBlock,
  encodeDsMessage,
  encodeHandshakePayload,
  encodeP2pMessage,
  encodeSignedTransaction,
  equalBytes,
  HEADER_SIZE,
  type P2pMessage,
  type SignedTransaction,
  signatureIn,
  signedTransactionFromJson,
  signedTransactionToJson,
} from "@p2pnode/codec";
import {
  decodeDatagram,
  decodeFindValue,
  decodeNodeRecord,
  decodeNodes,
  decodePong,
  decodeStore,
  decodeValue,
  encodeDatagram,
  MsgType,
} from "@p2pnode/codec/dht";
import {
  CipherState,
  NoiseError,
  NoiseXX,
  signingKeyFromSeed,
  signTransaction,
  x25519KeyPair,
} from "@p2pnode/crypto";
import {
  type CheckedTx,
  decodeBlockBytes,
  type KnownTx,
  prepareBlock,
  prepareTx,
  RuleError,
  transferFromBody,
} from "@p2pnode/rules";
import { BlockJson, CodedError, SignedTransactionJson } from "@p2pnode/types";
import { ZodError } from "zod";
import {
  ed25519TorsionSeeds,
  ed25519WireSeeds,
  verifyTorsionRecipe,
  verifyWireBytes,
} from "./ed25519-target.js";

/**
 * Every decoder of outside input, as the node meets it: P2P messages and the frames that carry
 * them, the Noise handshake and its payload, blocks and txs inside messages, DHT datagrams and
 * their bodies and node records, consensus messages, and REST bodies (JSON as the route reads
 * it: a transfer in one pass, anything else through the zod schema, then into the codec). A
 * decoder may return a value or throw one of its typed errors; anything else (a TypeError, a
 * RangeError, a hang, unbounded memory) is a bug.
 */
export interface FuzzTarget {
  name: string;
  /** Genuine encodings the mutator starts from (random bytes are tried too). */
  seeds: Uint8Array[];
  run(input: Uint8Array): void;
}

/** Errors a decoder is allowed to throw on hostile input. */
export function isTypedError(err: unknown): boolean {
  return (
    err instanceof CodecError ||
    err instanceof NoiseError ||
    err instanceof CodedError ||
    err instanceof ZodError ||
    // JSON.parse on a REST body: fastify answers 400 for it.
    err instanceof SyntaxError
  );
}

const hash = new Uint8Array(32).fill(3);
const wallet = signingKeyFromSeed(new Uint8Array(32).fill(7));
const tx = signTransaction(
  {
    kind: "transfer",
    from: wallet.publicKey,
    to: new Uint8Array(20).fill(1),
    amount: 10n,
    fee: 1n,
    nonce: 0,
    memo: new TextEncoder().encode("fuzz"),
  },
  "fuzz-chain",
  wallet,
);
const txBytes = encodeSignedTransaction(tx);
const block = {
  header: {
    version: 1,
    height: 1,
    prevHash: hash,
    txRoot: hash,
    stateRoot: new Uint8Array(32),
    timestamp: 1_700_000_000_000,
    target: new Uint8Array(32).fill(0xff),
    miner: new Uint8Array(20).fill(4),
    nonce: 5n,
  },
  txs: [tx],
};
/** The pool the block-known-txs target decodes against: the seed tx, found as a mempool finds it. */
function knownTx(frame: Uint8Array): SignedTransaction | undefined {
  const signature = signatureIn(frame);
  return signature && equalBytes(signature, tx.signature) && equalBytes(frame, txBytes) ? tx : undefined;
}

function sameDecode(bytes: Uint8Array): void {
  const outcome = (known?: typeof knownTx) => {
    try {
      return { block: encodeBlock(decodeBlock(bytes, known)) };
    } catch (err) {
      if (!isTypedError(err)) throw err;
      return { refused: (err as CodecError).code };
    }
  };
  const fresh = outcome();
  const reused = outcome(knownTx);
  const same =
    fresh.block && reused.block ? equalBytes(fresh.block, reused.block) : fresh.refused === reused.refused;
  if (!same)
    throw new Error(`decoding with known txs differs: ${JSON.stringify([fresh.refused, reused.refused])}`);
}

/**
 * A POST /txs body as the route reads it: a transfer by the one-pass reader (rules'
 * transferFromBody), which must be what the schema and the codec make of the same body; anything
 * it leaves, by the schema. A body the reader takes and the schema refuses, or reads otherwise, is
 * a finding.
 */
function readTxBody(body: unknown): void {
  const bySchema = () => signedTransactionFromJson(SignedTransactionJson.parse(body));
  const read = transferFromBody(body);
  if (!read) {
    bySchema();
    return;
  }
  let schemaTx: SignedTransaction;
  try {
    schemaTx = bySchema();
  } catch (err) {
    throw new Error(`the one-pass reader took a body the schema refuses: ${(err as Error).message}`);
  }
  if (!equalBytes(encodeSignedTransaction(read), encodeSignedTransaction(schemaTx)))
    throw new Error("the one-pass reader and the schema read a body differently");
}

/** The same pool for the rules: the seed tx prepared, found by its exact bytes or its id. */
const pooled: CheckedTx = prepareTx(tx, { chainId: "fuzz-chain", minFee: 0n });
const knownPrepared: KnownTx = {
  byId: (idHex) => (idHex === pooled.idHex ? pooled : undefined),
  byBytes: (bytes) => (equalBytes(bytes, pooled.bytes) ? pooled : undefined),
};

/**
 * A block from bytes as the chain takes it (decodeBlockBytes, then prepareBlock with what the
 * decode found) against the same without a pool: the same ids, senders and stored bytes, or the
 * same refusal.
 */
function samePrepared(bytes: Uint8Array): void {
  const outcome = (known?: KnownTx) => {
    try {
      const p = prepareBlock(decodeBlockBytes(bytes, known), "fuzz-chain", undefined, bytes, known);
      const txs = p.txs.map((t) => `${t.idHex}:${t.senderHex}:${Buffer.from(t.bytes).toString("hex")}`);
      return { prepared: `${p.hashHex}|${txs.join(",")}|${Buffer.from(p.body).toString("hex")}` };
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
      return { refused: err.code };
    }
  };
  const fresh = outcome();
  const reused = outcome(knownPrepared);
  if (fresh.prepared !== reused.prepared || fresh.refused !== reused.refused)
    throw new Error(`preparing with known txs differs: ${JSON.stringify([fresh.refused, reused.refused])}`);
}

function tryEncode<T>(f: () => T): T[] {
  try {
    return [f()];
  } catch {
    return [];
  }
}
const blockBytes = tryEncode(() => encodeBlock(block));
/** A block of a tx the pool lacks, then the pooled one: what the rules found must stay by index. */
const unpooled = signTransaction({ ...tx.tx, nonce: 1 } as SignedTransaction["tx"], "fuzz-chain", wallet);
const blockPairBytes = [...blockBytes, ...tryEncode(() => encodeBlock({ ...block, txs: [unpooled, tx] }))];

const messages: P2pMessage[] = [
  { type: "status", height: 7, tipHash: hash, totalWork: "123456" },
  { type: "ping", nonce: 99n },
  { type: "addr", addrs: [{ host: "10.0.0.1", port: 7101, nodeId: hash, latencyMs: 3 }] },
  {
    type: "inv",
    items: [
      { kind: "tx", hash },
      { kind: "block", hash },
    ],
  },
  { type: "getData", items: [{ kind: "tx", hash }] },
  { type: "tx", tx: txBytes },
  { type: "getHeaders", locator: [hash, hash], stop: null, max: 2000 },
  { type: "headers", headers: [new Uint8Array(176)] },
  { type: "blocks", blocks: [new Uint8Array(100)] },
  { type: "validationResult", id: 1, ok: false, reason: "INVALID_POW" },
  { type: "chainResponse", id: 2, height: 3, tipHash: hash, headers: [] },
];
const messageSeeds = messages.flatMap((m) => tryEncode(() => encodeP2pMessage(m)));

const handshakeSeed = tryEncode(() =>
  encodeHandshakePayload({
    version: 1,
    chainId: "fuzz-chain",
    genesisHash: hash,
    identityKey: wallet.publicKey,
    signature: new Uint8Array(64).fill(1),
    listenPort: 7101,
    height: 3,
    tipHash: hash,
    totalWork: "99",
    agent: "fuzz",
  }),
);

const datagramSeeds = [MsgType.Ping, MsgType.FindNode, MsgType.Nodes, MsgType.Store].flatMap((type) =>
  tryEncode(() =>
    encodeDatagram(
      { type, requestId: new Uint8Array(8).fill(2), senderKey: wallet.publicKey, senderSeq: 1, body: hash },
      () => new Uint8Array(64).fill(9),
    ),
  ),
);

const utf8 = new TextEncoder();
const text = new TextDecoder("utf-8", { fatal: false });
const txJsonSeed = utf8.encode(JSON.stringify(signedTransactionToJson(tx)));
const blockJsonSeed = tryEncode(() => utf8.encode(JSON.stringify(blockToJson(block))));

const consensusSeeds = [
  { kind: "commit", slot: 3, blockHash: "03".repeat(32), signer: 1, signature: "01".repeat(64) },
  {
    kind: "proposal",
    slot: 3,
    leader: 0,
    signature: "02".repeat(64),
    block: Buffer.from(blockBytes[0] ?? hash).toString("hex"),
  },
].flatMap((j) =>
  tryEncode(() => encodeDsMessage(dsMessageFromJson(j as Parameters<typeof dsMessageFromJson>[0]))),
);

const key = new Uint8Array(32).fill(9);
const responderKey = x25519KeyPair();
const frameSeeds = [new CipherState(key).encryptWithAd(new Uint8Array(0), messageSeeds[0] ?? hash)];

export const FUZZ_TARGETS: FuzzTarget[] = [
  { name: "p2p-message", seeds: messageSeeds, run: (b) => void decodeP2pMessage(b) },
  {
    name: "p2p-frame",
    seeds: frameSeeds,
    // A receive cipher at nonce 0 opens the frame, then the codec decodes what it yields.
    run: (b) => void decodeP2pMessage(new CipherState(key).decryptWithAd(new Uint8Array(0), b)),
  },
  {
    name: "noise-handshake",
    seeds: [new NoiseXX({ initiator: true, staticKey: x25519KeyPair() }).writeMessage()],
    run: (b) => {
      const responder = new NoiseXX({ initiator: false, staticKey: responderKey });
      responder.readMessage(b);
    },
  },
  { name: "handshake-payload", seeds: handshakeSeed, run: (b) => void decodeHandshakePayload(b) },
  { name: "tx", seeds: [txBytes], run: (b) => void decodeSignedTransaction(b) },
  { name: "block", seeds: blockBytes, run: (b) => void decodeBlock(b) },
  // A node decodes a block's frames that are exactly a mempool tx's bytes by taking that tx
  // (found by the signature framed at the end): the same block, or the same refusal, as decoding.
  { name: "block-known-txs", seeds: blockBytes, run: (b) => sameDecode(b) },
  // Then the rules prepare it with what the decode found (ids and senders not derived again).
  { name: "block-prepare-known-txs", seeds: blockPairBytes, run: (b) => samePrepared(b) },
  // The header exactly as it leads a block: a longer seed fails as trailing bytes unless a cut
  // happens to land on HEADER_SIZE, so few inputs would reach past the length check.
  {
    name: "header",
    seeds: blockBytes.map((x) => x.subarray(0, HEADER_SIZE)),
    run: (b) => void decodeHeader(b),
  },
  { name: "dht-datagram", seeds: datagramSeeds, run: (b) => void decodeDatagram(b) },
  {
    name: "dht-bodies",
    seeds: datagramSeeds.map((d) => d.subarray(48, d.length - 64)),
    run: (b) => {
      for (const decode of [
        decodePong,
        decodeNodes,
        decodeFindValue,
        decodeValue,
        decodeStore,
        decodeNodeRecord,
      ]) {
        try {
          decode(b);
        } catch (err) {
          if (!isTypedError(err)) throw err;
        }
      }
    },
  },
  { name: "consensus-message", seeds: consensusSeeds, run: (b) => void decodeDsMessage(b, 4) },
  // Signatures from peers and REST: the one rule's verdict, whichever engine decides it.
  { name: "ed25519-verify", seeds: ed25519WireSeeds(), run: verifyWireBytes },
  { name: "ed25519-torsion", seeds: ed25519TorsionSeeds(), run: verifyTorsionRecipe },
  { name: "rest-tx-body", seeds: [txJsonSeed], run: (b) => readTxBody(JSON.parse(text.decode(b))) },
  {
    name: "rest-block-body",
    seeds: blockJsonSeed,
    run: (b) => void blockFromJson(BlockJson.parse(JSON.parse(text.decode(b)))),
  },
];
