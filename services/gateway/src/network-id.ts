import { fromHex } from "@p2pnode/codec";
import type { NodeNetwork } from "@p2pnode/types";

/** Which network a node is on: both must match for a handshake to succeed. */
export interface NetworkId {
  chainId: string;
  genesisHash: Uint8Array;
}

/**
 * The handshake's view of the node's network (node.v1.network.get, derived once by the
 * supervisor from the genesis file): the chain id and the genesis block's hash, as bytes.
 */
export function networkIdOf(network: NodeNetwork): NetworkId {
  return { chainId: network.chainId, genesisHash: fromHex(network.genesisHash, "genesisHash", 32) };
}
