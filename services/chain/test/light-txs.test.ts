import {
  concatBytes,
  decodeBlock,
  encodeBlock,
  encodeSignedTransaction,
  type ShieldTx,
  type SignedTransaction,
  signedTransactionToJson,
} from "@p2pnode/codec";
import { txId } from "@p2pnode/crypto";
import type { RunningService } from "@p2pnode/kit";
import { eventually, startTestNode, startTestService, type TestNode } from "@p2pnode/kit/testing";
import { randomSpendingKey, type SpendingKey } from "@p2pnode/shielded";
import { ChainSubjects, GatewaySubjects, TxStatus } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainService } from "../src/api.js";
import type { Chain } from "../src/chain.js";
import { txStatus } from "../src/queries.js";
import { hex } from "../src/store.js";
import { txInclusionProof } from "../src/sync/tx-proof.js";
import { alice, bob, makeBlock, minerA, openChain, testGenesis, transfer } from "./helpers.js";
import { type Built, owned, send, shield, treeOf } from "./shielded-helpers.js";

/*
 * A light node's GET /txs/:id for the shielded kinds, against a stand-in gateway whose one peer
 * is a full chain: a shield it submitted itself (a 40+ KiB body) is pending, then mined with
 * the inclusion proof checked against its own headers; a shielded transfer another node
 * submitted is answered mined with its body, which must hash to the proven id — a peer that
 * sends another body gets the lookup refused, not the wrong tx shown. Each answer is the one
 * the full node gives for the same tx.
 */

const genesis = testGenesis();
const PEER = "ab".repeat(32);
let node: TestNode;
let svc: RunningService;
let full: Chain;
let sk1: SpendingKey;
let shielded1: Built;
/** The stand-in peer's misbehaviour: send this body instead of the block's. */
let swapBody: SignedTransaction | undefined;

beforeAll(async () => {
  full = openChain(genesis);
  sk1 = randomSpendingKey();
  shielded1 = shield(alice, sk1, 1000n, 0, treeOf(full));
  node = await startTestNode("light", {}, { genesis });
  const bus = node.supervisorBus;
  // The stand-in gateway: one full peer that proves and serves blocks of `full`.
  await bus.serve(GatewaySubjects.txProofFetch, (req) => {
    const proof = txInclusionProof(full, req.txId);
    return proof ? { proof, peer: PEER } : { proof: null, peer: null };
  });
  await bus.serve(GatewaySubjects.blocksFetch, (req) => ({
    blocks: req.hashes.flatMap((h) => {
      const b = full.store.blockBody(Buffer.from(h, "hex"));
      if (!b || req.peer !== PEER) return [];
      if (!swapBody) return [b];
      const block = decodeBlock(b);
      return [encodeBlock({ header: block.header, txs: block.txs.map(() => swapBody!) })];
    }),
    next: null,
  }));
  svc = await startTestService(chainService, node);
}, 600_000);
afterAll(async () => {
  await svc?.stop();
  await node?.stop();
  full?.store.close();
});

/** Mines `txs` on the full chain and relays the block to the light node (its header is kept). */
async function mineAndRelay(txs: Built[]): Promise<void> {
  const block = makeBlock(full, { txs: txs.map((t) => t.stx), miner: minerA });
  full.submitBlock(block);
  await node.supervisorBus.request(ChainSubjects.blockSubmit, { block: encodeBlock(block), source: "peer" });
}

async function lookup(id: string): Promise<{ status: number; body: unknown }> {
  const res = await svc.ctx.app.inject({ url: `/txs/${id}` });
  return { status: res.statusCode, body: res.json() };
}

describe("a light node's GET /txs/:id for shielded transactions", () => {
  it("a shield it submitted: pending, then mined with a proof against its own headers, as the full node shows it", async () => {
    const body = signedTransactionToJson(shielded1.stx);
    expect(JSON.stringify(body).length).toBeGreaterThan(16 * 1024);
    const sent = await svc.ctx.app.inject({ method: "POST", url: "/txs", payload: body });
    expect(sent.statusCode, sent.body).toBe(202);
    const id = hex(txId(shielded1.stx));
    expect(sent.json()).toEqual({ id, status: "pending" });

    const pending = await lookup(id);
    expect(pending.status).toBe(200);
    expect(TxStatus.parse(pending.body)).toMatchObject({
      id,
      status: "pending",
      tx: { tx: { kind: "shield" } },
    });

    await mineAndRelay([shielded1]);
    const mined = await lookup(id);
    expect(mined.status).toBe(200);
    expect(TxStatus.parse(mined.body)).toEqual(txStatus(full, id));
  });

  it("a shielded transfer another node submitted: mined, its body from the proving peer, checked against the id", async () => {
    const tree = treeOf(full);
    const note = owned(tree, shielded1.notes[0], (shielded1.stx.tx as ShieldTx).commitments[0]);
    const pay = send(sk1, [note], randomSpendingKey(), 600n, tree);
    const id = hex(txId(pay.stx));
    // Not mined anywhere yet, and not submitted here: a light node has no mempool to find it in.
    expect((await lookup(id)).status).toBe(404);

    await mineAndRelay([pay]);
    const mined = await lookup(id);
    expect(mined.status).toBe(200);
    const status = TxStatus.parse(mined.body);
    expect(status).toEqual(txStatus(full, id));
    expect(status.tx.tx.kind).toBe("shielded");

    // A peer that proves the tx but sends another body: refused, never shown as this tx.
    swapBody = shielded1.stx;
    try {
      const swapped = await lookup(id);
      expect(swapped.status).toBe(404);
      expect((swapped.body as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    } finally {
      swapBody = undefined;
    }
  });
});

describe("a light node's POST /txs/raw", () => {
  it("announces a raw tx with the bytes it got and shows it pending; bytes that are not a canonical encoding are 400 DECODE_FAILED", async () => {
    const announced: { id: string; tx: Uint8Array }[] = [];
    // Awaited: the service publishes from its own connection, which could beat a buffered SUB.
    await node.supervisorBus.subscribe(ChainSubjects.txAccepted, (e) => void announced.push(e));
    const bytes = encodeSignedTransaction(transfer(bob, alice, 5n, 0, 10n));
    const sent = await svc.ctx.app.inject({
      method: "POST",
      url: "/txs/raw",
      payload: Buffer.from(bytes),
      headers: { "content-type": "application/octet-stream" },
    });
    const id = hex(txId(bytes));
    expect([sent.statusCode, sent.json()]).toEqual([202, { id, status: "pending" }]);
    await eventually(
      () => announced.find((e) => e.id === id),
      (e) => e !== undefined,
    );
    expect(announced.find((e) => e.id === id)!.tx).toEqual(bytes);
    expect(TxStatus.parse((await lookup(id)).body).status).toBe("pending");

    const longForm = concatBytes(bytes.subarray(0, -66), new Uint8Array([0x59, 0, 64]), bytes.subarray(-64));
    const refused = await svc.ctx.app.inject({
      method: "POST",
      url: "/txs/raw",
      payload: Buffer.from(longForm),
      headers: { "content-type": "application/octet-stream" },
    });
    expect([refused.statusCode, refused.json().error.code]).toEqual([400, "DECODE_FAILED"]);
  });
});
