import { readFileSync } from "node:fs";
import { type Block, encodeCanonical, HEADER_VERSION, toHex } from "@p2pnode/codec";
import { headerHash, sha256, txRoot } from "@p2pnode/crypto";
import { CodedError, Genesis, type NodeNetwork } from "@p2pnode/types";

const GENESIS_TAG = new TextEncoder().encode("p2pnode/genesis/v1");

/** A genesis file the node cannot run on; the message is one line an operator can act on. */
export class GenesisError extends CodedError<"GENESIS_INVALID"> {
  constructor(message: string) {
    super("GENESIS_INVALID", message);
    this.name = "GenesisError";
  }
}

/**
 * The one reader of a genesis file (the supervisor calls it once and hands the result to every
 * service). The message starts with the path, so the caller can say which setting named it.
 */
export function readGenesisFile(path: string): Genesis {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new GenesisError(`${path}: ${(err as Error).message.split("\n")[0]}`);
  }
  return parseGenesis(raw, path);
}

/** Checks a genesis document: its schema, then what a schema cannot say. */
export function parseGenesis(raw: unknown, what = "genesis"): Genesis {
  const r = Genesis.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new GenesisError(`${what}: ${i.path.join(".")}: ${i.message}`);
  }
  const g = r.data;
  if (!/[1-9a-f]/.test(g.consensus.initialTarget)) {
    throw new GenesisError(`${what}: consensus.initialTarget must not be zero`);
  }
  const seen = new Set<string>();
  for (const a of g.allocations) {
    if (seen.has(a.address)) throw new GenesisError(`${what}: address ${a.address} is allocated twice`);
    seen.add(a.address);
  }
  return g;
}

/**
 * SHA-256 over the canonical CBOR of the whole genesis file, tagged. It goes into the genesis
 * header's stateRoot, so two networks whose files differ in anything (allocations, consensus
 * parameters, chain id) have different genesis hashes, and all nodes of one network agree.
 */
export function genesisDigest(g: Genesis): Uint8Array {
  return sha256(GENESIS_TAG, encodeCanonical(g as unknown as Parameters<typeof encodeCanonical>[0]));
}

/** The genesis block: no transactions, no proof of work; its allocations are applied as state. */
export function genesisBlock(g: Genesis): { block: Block; hash: Uint8Array } {
  const block: Block = {
    header: {
      version: HEADER_VERSION,
      height: 0,
      prevHash: new Uint8Array(32),
      txRoot: txRoot([]),
      stateRoot: genesisDigest(g),
      timestamp: g.timestamp,
      target: Uint8Array.from(Buffer.from(g.consensus.initialTarget, "hex")),
      miner: new Uint8Array(20),
      nonce: 0n,
    },
    txs: [],
  };
  return { block, hash: headerHash(block.header) };
}

/**
 * Which network a genesis makes: its chain id and the genesis block's hash (what the handshake,
 * the DHT and the chain store compare), with the document itself for the chain's state.
 */
export function networkOf(g: Genesis): NodeNetwork {
  return { chainId: g.chainId, genesisHash: toHex(genesisBlock(g).hash), genesis: g };
}
