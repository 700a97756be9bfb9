import { readFileSync } from "node:fs";
import { type Block, encodeCanonical, HEADER_VERSION } from "@p2pnode/codec";
import { headerHash, sha256, txRoot } from "@p2pnode/crypto";
import { Genesis } from "@p2pnode/types";
import { ChainFault } from "./errors.js";
import { targetToBigInt } from "./work.js";

const GENESIS_TAG = new TextEncoder().encode("p2pnode/genesis/v1");

/**
 * Reads and checks the genesis file. Every problem is one line naming the file, so the service
 * refuses to start with a message an operator can act on.
 */
export function loadGenesis(path: string | undefined): Genesis {
  if (path === undefined) {
    throw new ChainFault(
      "CONFIG_INVALID",
      "P2PNODE_GENESIS is not set: the chain needs the network's genesis file",
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new ChainFault("CONFIG_INVALID", `genesis ${path}: ${(err as Error).message.split("\n")[0]}`);
  }
  return parseGenesis(raw, path);
}

export function parseGenesis(raw: unknown, what = "genesis"): Genesis {
  const r = Genesis.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new ChainFault("CONFIG_INVALID", `genesis ${what}: ${i.path.join(".")}: ${i.message}`);
  }
  const g = r.data;
  if (targetToBigInt(Buffer.from(g.consensus.initialTarget, "hex")) === 0n) {
    throw new ChainFault("CONFIG_INVALID", `genesis ${what}: consensus.initialTarget must not be zero`);
  }
  const seen = new Set<string>();
  for (const a of g.allocations) {
    if (seen.has(a.address)) {
      throw new ChainFault("CONFIG_INVALID", `genesis ${what}: address ${a.address} is allocated twice`);
    }
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
