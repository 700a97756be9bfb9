import {
  BUS_SYNC_ANSWER_BYTES,
  blockFromJson,
  encodeBlock,
  encodeSignedTransaction,
  HEADER_SIZE,
  MAX_BLOCK_BYTES,
  MAX_MEMO_BYTES,
  MAX_P2P_MESSAGE_BYTES,
  type SignedTransaction,
} from "@p2pnode/codec";
import { addressOf, signingKeyFromSeed, signTransaction } from "@p2pnode/crypto";
import type { Bus } from "@p2pnode/kit";
import { connectTestBus, eventually } from "@p2pnode/kit/testing";
import { GatewaySubjects } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHAIN_ID } from "./helpers/chain-stub.js";
import { connect, type GatewayNode, startGatewayNode } from "./helpers/cluster.js";

/*
 * Sync at the largest block size (MAX_BLOCK_BYTES, 2 MiB), between two real gateways over
 * loopback, each on a nats-server configured as the supervisor configures a node's. A peer's
 * get-blocks answer is cut by bytes into several P2P messages, each under the 4 MiB message
 * limit; the gateway's answer to its chain (gateway.v1.blocks.fetch) is cut by bytes to the bus's
 * sync budget and says where to ask again, so the chain gets every block in several answers.
 * (Before: one JSON reply of every block asked, ~2.1× their bytes: four full blocks came to
 * ~17 MiB against an 8 MB max_payload, and sync of full blocks failed on every peer.)
 */

const FULL_BLOCKS = 4;
let a: GatewayNode;
let b: GatewayNode;
let bus: Bus;
const hashes: string[] = [];
const bodies = new Map<string, Uint8Array>();

/** Distinct signed transfers (full memos) that fill a block to just under MAX_BLOCK_BYTES. */
function fullBlockTxs(firstNonce: number): SignedTransaction[] {
  const key = signingKeyFromSeed(new Uint8Array(32).fill(9));
  const to = addressOf(signingKeyFromSeed(new Uint8Array(32).fill(10)).publicKey);
  const txs: SignedTransaction[] = [];
  let size = HEADER_SIZE + 4;
  for (let nonce = firstNonce; ; nonce++) {
    const memo = new Uint8Array(MAX_MEMO_BYTES).fill(nonce & 0xff);
    const stx = signTransaction(
      { kind: "transfer", from: key.publicKey, to, amount: 1n, fee: 1n, nonce, memo },
      CHAIN_ID,
      key,
    );
    const framed = 4 + encodeSignedTransaction(stx).length;
    if (size + framed > MAX_BLOCK_BYTES) return txs;
    txs.push(stx);
    size += framed;
  }
}

beforeAll(async () => {
  [a, b] = await Promise.all([startGatewayNode(), startGatewayNode()]);
  let nonce = 0;
  for (let i = 0; i < FULL_BLOCKS; i++) {
    const txs = fullBlockTxs(nonce);
    nonce += txs.length;
    const hash = a.chain.mine(txs);
    hashes.push(hash);
  }
  // The stub's bytes of each block, as any peer is sent them.
  for (const h of hashes) bodies.set(h, encodeBlock(blockFromJson(a.chain.blocks.get(h)!.json)));
  expect((await connect(b, a)).status).toBe(200);
  await eventually(
    () => b.gateway.manager.peers.get(a.gateway.nodeIdHex)?.isOpen ?? false,
    (open) => open,
  );
  bus = await connectTestBus(b.node.nats, "sync-limits-test");
}, 300_000);

afterAll(async () => {
  await bus?.close();
  await Promise.all([a?.stop(), b?.stop()]);
});

describe("sync at the maximum block size", () => {
  it("a get-blocks answer of full blocks arrives in several P2P messages, each under the message limit", async () => {
    // Asking for all of them through the gateway's endpoint sends one get-blocks to the peer.
    await bus.request(GatewaySubjects.blocksFetch, { peer: a.gateway.nodeIdHex, hashes }, 120_000);
    const received = b.gateway.metrics.snapshot().messages.blocks?.received;
    expect(received?.count).toBeGreaterThan(1);
    // Two full blocks do not fit one message: one block per message.
    expect(received?.count).toBe(FULL_BLOCKS);
    expect(received!.bytes / received!.count).toBeLessThan(MAX_P2P_MESSAGE_BYTES);
  });

  it("the gateway's bus answer is cut by bytes and says where to ask again: every block, in several answers", async () => {
    const got: Uint8Array[] = [];
    let rest = hashes;
    let answers = 0;
    for (;;) {
      const r = await bus.request(
        GatewaySubjects.blocksFetch,
        { peer: a.gateway.nodeIdHex, hashes: rest },
        120_000,
      );
      answers++;
      expect(r.blocks.reduce((n, x) => n + x.length, 0)).toBeLessThanOrEqual(BUS_SYNC_ANSWER_BYTES);
      got.push(...r.blocks);
      if (r.next === null) break;
      expect(r.next).toBe(r.blocks.length);
      rest = rest.slice(r.next);
    }
    expect(answers).toBeGreaterThan(1);
    expect(got.length).toBe(FULL_BLOCKS);
    for (const [i, bytes] of got.entries()) {
      expect(bytes.length).toBeGreaterThan(MAX_BLOCK_BYTES - 1024);
      expect(Buffer.from(bytes).equals(bodies.get(hashes[i]!) ?? new Uint8Array())).toBe(true);
    }
  });
});
