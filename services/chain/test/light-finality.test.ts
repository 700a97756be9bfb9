import { type Block, encodeBlock, encodeCertificate, maskOf } from "@p2pnode/codec";
import { headerHash, type SigningKey, signingKeyFromSeed, signRaw, voteSigningBytes } from "@p2pnode/crypto";
import type { RunningService } from "@p2pnode/kit";
import { startTestNode, startTestService, type TestNode } from "@p2pnode/kit/testing";
import { BlockPage, ConsensusSubjects, type Genesis } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainService } from "../src/api.js";
import type { Chain } from "../src/chain.js";
import { blockSummary } from "../src/queries.js";
import { hex } from "../src/store.js";
import { CHAIN_ID, makeBlock, openChain, testGenesis } from "./helpers.js";

/*
 * A light node of a dolev-strong network keeps each header with the certificate it was taken
 * with, and its GET /blocks shows `final` and `certificate` as a full node's does — across a
 * restart too, where it still wants certificate slots in order. Its genesis target is one no
 * unmined header meets: a light node there needs no proof of work.
 */

const keys: SigningKey[] = [1, 2, 3, 4].map((i) => signingKeyFromSeed(new Uint8Array(32).fill(i)));
const base = testGenesis({}, CHAIN_ID);
const genesis: Genesis = {
  ...base,
  consensus: {
    ...base.consensus,
    kind: "dolev-strong",
    f: 1,
    roundMs: 100,
    slotMs: 300,
    initialTarget: `000000${"f".repeat(58)}`,
  },
  validators: keys.map((k) => ({ publicKey: hex(k.publicKey) })),
};

function certificate(block: Block, slot: number, signers = [0, 2]): Uint8Array {
  const msg = voteSigningBytes("commit", CHAIN_ID, slot, headerHash(block.header));
  return encodeCertificate({
    slot,
    mask: maskOf(signers, keys.length),
    signatures: signers.map((i) => signRaw(keys[i]!, msg)),
  });
}

let node: TestNode;
let svc: RunningService;
let full: Chain;

beforeAll(async () => {
  node = await startTestNode("light", {}, { genesis });
  svc = await startTestService(chainService, node);
  full = openChain(genesis);
});
afterAll(async () => {
  await svc?.stop();
  await node?.stop();
  full?.store.close();
});

/** The next final block: committed on the full chain, then handed to the light node as a peer's. */
async function finalBlock(slot: number, signers?: number[]) {
  const block = makeBlock(full, { noPow: true });
  const cert = certificate(block, slot, signers);
  full.submitBlock(block, undefined, cert);
  const verdict = await node.supervisorBus.request(ConsensusSubjects.finalSubmit, {
    block: encodeBlock(block),
    certificate: cert,
    peer: "p",
  });
  return { block, verdict };
}

const page = async () =>
  BlockPage.parse((await svc.ctx.app.inject({ url: "/blocks?from=1&limit=100" })).json());

const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return (err as { code: string }).code;
  }
  return "accepted";
};

describe("a dolev-strong light node's GET /blocks", () => {
  it("shows each header final with the certificate it came with, as the full node shows it", async () => {
    expect((await finalBlock(2)).verdict).toMatchObject({ height: 1, status: "connected" });
    expect((await finalBlock(3, [1, 2, 3])).verdict).toMatchObject({ height: 2, status: "connected" });
    const { blocks } = await page();
    expect(blocks.map((b) => b.height)).toEqual([1, 2]);
    for (const b of blocks) {
      const fullView = blockSummary(full, full.store.blockMeta(Buffer.from(b.hash, "hex"))!);
      expect(b.final).toBe(true);
      expect(b.certificate).toEqual(fullView.certificate);
      expect(fullView.final).toBe(true);
    }
    expect(blocks[1]!.certificate).toMatchObject({ slot: 3, signers: [1, 2, 3] });
  });

  it("refuses a header with a forged certificate, storing nothing", async () => {
    const block = makeBlock(full, { noPow: true });
    const cert = certificate(block, 4);
    cert[cert.length - 1]! ^= 1;
    const sent = node.supervisorBus.request(ConsensusSubjects.finalSubmit, {
      block: encodeBlock(block),
      certificate: cert,
      peer: "p",
    });
    expect(await refusal(sent)).toBe("BAD_CERTIFICATE");
    expect((await page()).blocks).toHaveLength(2);
  });

  it("keeps certificates and slot order across a restart", async () => {
    await svc.stop();
    svc = await startTestService(chainService, node);
    const { blocks } = await page();
    expect(blocks.map((b) => [b.height, b.final, b.certificate?.slot])).toEqual([
      [1, true, 2],
      [2, true, 3],
    ]);
    // Slot 3 is taken: a certificate for it on the next block is refused after the restart too.
    const block = makeBlock(full, { noPow: true });
    const sent = node.supervisorBus.request(ConsensusSubjects.finalSubmit, {
      block: encodeBlock(block),
      certificate: certificate(block, 3),
      peer: "p",
    });
    expect(await refusal(sent)).toBe("BAD_CERTIFICATE");
    expect((await finalBlock(5)).verdict).toMatchObject({ height: 3, status: "connected" });
  });
});
