import { readFileSync } from "node:fs";
import { encodeCanonical } from "@p2pnode/codec";
import { sha256 } from "@p2pnode/crypto";
import { CodedError, Genesis } from "@p2pnode/types";

/** Which network a node is on: both must match for a handshake to succeed. */
export interface NetworkId {
  chainId: string;
  genesisHash: Uint8Array;
}

const GENESIS_TAG = new TextEncoder().encode("p2pnode/genesis/v1");

/**
 * The network's identity from its genesis file: the chain id, and SHA-256 over the tagged
 * canonical CBOR of the whole file — the same digest the chain puts in the genesis header's
 * stateRoot, so it changes whenever anything in the file does. It is read from the file rather
 * than asked of the chain service so that the gateway can refuse wrong networks before the
 * chain is up; switching to the genesis block hash needs the chain to expose it (README).
 */
export function networkIdFromGenesis(path: string | undefined): NetworkId {
  if (path === undefined)
    throw new CodedError(
      "CONFIG_INVALID",
      "P2PNODE_GENESIS is not set: the gateway needs the network's genesis file",
    );
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new CodedError("CONFIG_INVALID", `genesis ${path}: ${(err as Error).message.split("\n")[0]}`);
  }
  const g = Genesis.safeParse(raw);
  if (!g.success) throw new CodedError("CONFIG_INVALID", `genesis ${path}: ${g.error.issues[0]?.message}`);
  const body = encodeCanonical(g.data as unknown as Parameters<typeof encodeCanonical>[0]);
  return { chainId: g.data.chainId, genesisHash: sha256(GENESIS_TAG, body) };
}
