import { COMPUTE_P2P_CODES, type ComputeP2pMessage } from "./compute.js";

/** Message type codes: the first byte of every P2P message. Never reuse a retired code. */
export const P2P_MESSAGE_CODES = {
  status: 0x01,
  ping: 0x02,
  pong: 0x03,
  getAddr: 0x04,
  addr: 0x05,
  inv: 0x10,
  getData: 0x11,
  notFound: 0x12,
  tx: 0x13,
  block: 0x14,
  getHeaders: 0x20,
  headers: 0x21,
  getBlocks: 0x22,
  blocks: 0x23,
  validationRequest: 0x30,
  validationResult: 0x31,
  chainRequest: 0x32,
  chainResponse: 0x33,
  getTxProof: 0x40,
  txProof: 0x41,
  getAccount: 0x42,
  account: 0x43,
  ...COMPUTE_P2P_CODES,
} as const;
export type P2pMessageType = keyof typeof P2P_MESSAGE_CODES;

export type InvKind = "tx" | "block";
export interface InvItem {
  kind: InvKind;
  hash: Uint8Array;
}
export interface PeerAddress {
  host: string;
  port: number;
  nodeId: Uint8Array;
  /** The sender's measured round-trip to that peer in ms (0 = unknown): edges of the network graph. */
  latencyMs: number;
}

export type P2pMessage =
  | { type: "status"; height: number; tipHash: Uint8Array; totalWork: string }
  | { type: "ping"; nonce: bigint }
  | { type: "pong"; nonce: bigint }
  | { type: "getAddr" }
  | { type: "addr"; addrs: PeerAddress[] }
  | { type: "inv"; items: InvItem[] }
  | { type: "getData"; items: InvItem[] }
  | { type: "notFound"; items: InvItem[] }
  | { type: "tx"; tx: Uint8Array }
  | { type: "block"; block: Uint8Array }
  | { type: "getHeaders"; locator: Uint8Array[]; stop: Uint8Array | null; max: number }
  | { type: "headers"; headers: Uint8Array[] }
  | { type: "getBlocks"; hashes: Uint8Array[] }
  | { type: "blocks"; blocks: Uint8Array[] }
  | { type: "validationRequest"; id: number; kind: InvKind; body: Uint8Array }
  | { type: "validationResult"; id: number; ok: boolean; reason: string }
  | { type: "chainRequest"; id: number; fromHeight: number; max: number }
  | { type: "chainResponse"; id: number; height: number; tipHash: Uint8Array; headers: Uint8Array[] }
  /** Light node → full node: where is this confirmed tx, with its Merkle audit path? */
  | { type: "getTxProof"; id: number; txId: Uint8Array }
  /** found=false: not confirmed on the answerer's best chain (other fields zero/empty). */
  | {
      type: "txProof";
      id: number;
      found: boolean;
      blockHash: Uint8Array;
      height: number;
      index: number;
      size: number;
      path: Uint8Array[];
    }
  | { type: "getAccount"; id: number; address: Uint8Array }
  /** At the answerer's tip (`height`); unproven: headers carry no state root yet. */
  | { type: "account"; id: number; height: number; balance: bigint; nonce: number }
  | ComputeP2pMessage;

export type P2pMessageOf<T extends P2pMessageType> = Extract<P2pMessage, { type: T }>;
