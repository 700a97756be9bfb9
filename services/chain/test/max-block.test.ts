import {
  type Block,
  BUS_SYNC_ANSWER_BYTES,
  encodeCertificate,
  headerToJson,
  itemsWithinBudget,
  MAX_BLOCK_BYTES,
  maskOf,
  type SignedTransaction,
} from "@p2pnode/codec";
import { headerHash, signingKeyFromSeed, signRaw, voteSigningBytes } from "@p2pnode/crypto";
import type { Bus } from "@p2pnode/kit";
import { connectTestBus, eventually, startTestNats, type TestNats } from "@p2pnode/kit/testing";
import {
  type BlockAcceptedEvent,
  ChainReadSubjects,
  ChainSubjects,
  ConsensusSubjects,
  type FinalBlock,
  type FinalGetReply,
  GatewaySubjects,
  type Genesis,
} from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Chain } from "../src/chain.js";
import { finalAnswer } from "../src/finality/final-answer.js";
import { ChainIntake } from "../src/intake.js";
import { busEvents, serveChainSubjects } from "../src/nats.js";
import { hex, unhex } from "../src/store.js";
import { natsSyncNetwork } from "../src/sync/nats-network.js";
import { headersAfter } from "../src/sync/serve.js";
import { defaultSyncOptions, SyncManager } from "../src/sync/sync-manager.js";
import { defaultTemplateOptions } from "../src/template.js";
import { alice, bob, CHAIN_ID, fullBlockTxs, makeBlock, openChain, testGenesis } from "./helpers.js";

/*
 * The largest block a peer may send (MAX_BLOCK_BYTES, 2 MiB) across the bus, through a real
 * nats-server configured as the supervisor configures a node's (kit's natsServerConfig: the size
 * table's max_payload): in its block.accepted event, in a block.get reply, and in sync, where a
 * gateway's answer of several such blocks is cut by bytes and the chain asks again for the rest;
 * and, on a dolev-strong chain, in the chain's final.get answers, cut the same way.
 */

const genesis = testGenesis();
const chains: Chain[] = [];
const open = () => {
  const c = openChain(genesis);
  chains.push(c);
  return c;
};
let nats: TestNats;
let server: Bus;
let client: Bus;
/** A peer's chain of four full blocks: more than one bus sync answer holds. */
let peer: Chain;
const FULL_BLOCKS = 4;
/** The transactions of each of the peer's blocks (a dolev-strong chain below reuses them). */
const blockTxs: SignedTransaction[][] = [];

beforeAll(async () => {
  nats = await startTestNats();
  server = await connectTestBus(nats, "max-block-server");
  client = await connectTestBus(nats, "max-block-client");
  peer = open();
  let nonce = 0;
  for (let i = 0; i < FULL_BLOCKS; i++) {
    const txs = fullBlockTxs(alice, bob, nonce);
    nonce += txs.length;
    blockTxs.push(txs);
    peer.submitBlock(makeBlock(peer, { txs }));
  }
}, 300_000);

afterAll(async () => {
  await client?.close();
  await server?.close();
  await nats?.stop();
  for (const c of chains) c.store.close();
});

const bodyAt = (c: Chain, height: number) => c.store.blockBody(c.store.mainHashAt(height)!)!;

describe("a max-size block on the bus", () => {
  it("peer blocks are within a few hundred bytes of MAX_BLOCK_BYTES", () => {
    for (let h = 1; h <= FULL_BLOCKS; h++) {
      const size = bodyAt(peer, h).length;
      expect(size).toBeLessThanOrEqual(MAX_BLOCK_BYTES);
      expect(size).toBeGreaterThan(MAX_BLOCK_BYTES - 1024);
    }
  });

  it("goes through block.submit, out in block.accepted with its bytes and total work, and back by block.get", async () => {
    const node = open();
    const intake = new ChainIntake({ chain: node, metrics: undefined, events: busEvents(server) });
    await serveChainSubjects(server, {
      chain: node,
      intake,
      template: defaultTemplateOptions,
      notMiningYet: () => undefined,
    });
    const events: BlockAcceptedEvent[] = [];
    await client.subscribe(ChainSubjects.blockAccepted, (e) => void events.push(e));

    // The peer's stored bytes as they are: the subject carries codec bytes, not JSON.
    const bytes = bodyAt(peer, 1);
    const verdict = await client.request(
      ChainSubjects.blockSubmit,
      { block: bytes, source: "peer" },
      120_000,
    );
    expect(verdict).toMatchObject({ height: 1, status: "connected" });

    const [event] = await eventually(
      () => events,
      (e) => e.length === 1,
    );
    // Buffer.equals: vitest's toEqual walks a 2 MiB array element by element (about a minute).
    expect(sameBytes(event!.block, bytes)).toBe(true);
    expect(event!.totalWork).toBe(String(node.tipBlock.totalWork));

    const got = await client.request(ChainReadSubjects.blockGet, { hash: verdict.hash }, 60_000);
    expect(sameBytes(got.block, bytes)).toBe(true);
  });

  it("syncs a chain of max-size blocks: each bus answer is cut by bytes, the chain asks again, every block arrives", async () => {
    const answers: { blocks: number; bytes: number }[] = [];
    await serveStandInGateway(server, peer, answers);
    const node = open();
    const announced: number[] = [];
    const sync = new SyncManager(defaultSyncOptions, {
      chain: node,
      intake: new ChainIntake({
        chain: node,
        metrics: undefined,
        events: { blockAccepted: (e) => void announced.push(e.height), txAccepted: () => undefined },
      }),
      net: natsSyncNetwork(client),
    });
    await sync.sync();

    expect(hex(node.tipBlock.hash)).toBe(hex(peer.tipBlock.hash));
    expect(announced).toEqual([1, 2, 3, 4]);
    expect(answers.length).toBeGreaterThan(1);
    for (const a of answers) expect(a.bytes).toBeLessThanOrEqual(BUS_SYNC_ANSWER_BYTES);
    expect(answers.reduce((n, a) => n + a.blocks, 0)).toBe(FULL_BLOCKS);
  });
});

describe("max-size final blocks on the bus (dolev-strong)", () => {
  it("final.get answers are cut by bytes with `next`; asking again from it, every block arrives", async () => {
    const keys = [1, 2, 3, 4].map((i) => signingKeyFromSeed(new Uint8Array(32).fill(i)));
    const base = testGenesis();
    const genesis: Genesis = {
      ...base,
      consensus: { ...base.consensus, kind: "dolev-strong", f: 1, roundMs: 100, slotMs: 300 },
      validators: keys.map((k) => ({ publicKey: hex(k.publicKey) })),
    };
    // f + 1 = 2 commit signatures on the block of `slot`.
    const certificate = (block: Block, slot: number) => {
      const msg = voteSigningBytes("commit", CHAIN_ID, slot, headerHash(block.header));
      return encodeCertificate({
        slot,
        mask: maskOf([0, 1], keys.length),
        signatures: [0, 1].map((i) => signRaw(keys[i]!, msg)),
      });
    };
    const finalChain = openChain(genesis);
    chains.push(finalChain);
    for (const [i, txs] of blockTxs.entries()) {
      const block = makeBlock(finalChain, { txs, noPow: true });
      finalChain.submitBlock(block, undefined, certificate(block, i + 1));
    }
    await server.serve(ConsensusSubjects.finalGet, (req) => finalAnswer(finalChain, req.fromHeight, req.max));

    // The gateway's side: ask from height 1, then again from each answer's `next`.
    const got: FinalBlock[] = [];
    const answers: number[] = [];
    for (let from: number | null = 1; from !== null; ) {
      const r: FinalGetReply = await client.request(
        ConsensusSubjects.finalGet,
        { fromHeight: from, max: 64 },
        120_000,
      );
      expect(r.items.length).toBeGreaterThan(0);
      answers.push(r.items.reduce((n, it) => n + it.block.length + it.certificate.length, 0));
      got.push(...r.items);
      if (r.next !== null) expect(r.next).toBe(from + r.items.length);
      from = r.next;
    }
    expect(answers.length).toBeGreaterThan(1);
    for (const bytes of answers) expect(bytes).toBeLessThanOrEqual(BUS_SYNC_ANSWER_BYTES);
    expect(got).toHaveLength(FULL_BLOCKS);
    for (const [i, item] of got.entries()) {
      const hash = finalChain.store.mainHashAt(i + 1)!;
      expect(sameBytes(item.block, finalChain.store.blockBody(hash)!)).toBe(true);
      expect(sameBytes(item.certificate, finalChain.finality!.store.certificate(hash)!.bytes)).toBe(true);
    }
  });
});

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(b);

/**
 * The gateway's side of sync over the bus for one peer whose chain is `from`: its peer list, its
 * headers, and blocks answers cut by bytes with the size table's rule, as the gateway cuts them.
 */
async function serveStandInGateway(
  bus: Bus,
  from: Chain,
  answers: { blocks: number; bytes: number }[],
): Promise<void> {
  const id = "ab".repeat(32);
  await bus.serve(GatewaySubjects.syncPeers, () => ({
    peers: [{ id, totalWork: String(from.tipBlock.totalWork), height: from.tipBlock.height, latencyMs: 1 }],
  }));
  await bus.serve(GatewaySubjects.headersFetch, (req) => ({
    headers: headersAfter(from, req.locator, req.max).map(headerToJson),
  }));
  await bus.serve(GatewaySubjects.blocksFetch, (req) => {
    const got = req.hashes.map((h) => from.store.blockBody(unhex(h))!);
    const n = itemsWithinBudget(
      got.map((b) => b.length),
      BUS_SYNC_ANSWER_BYTES,
    );
    const blocks = got.slice(0, n);
    answers.push({ blocks: n, bytes: blocks.reduce((s, b) => s + b.length, 0) });
    return { blocks, next: n < got.length ? n : null };
  });
}
