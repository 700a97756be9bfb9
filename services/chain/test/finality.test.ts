import { type Block, encodeCertificate, maskOf } from "@p2pnode/codec";
import { headerHash, type SigningKey, signingKeyFromSeed, signRaw, voteSigningBytes } from "@p2pnode/crypto";
import type { Genesis } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import type { Chain } from "../src/chain.js";
import { validateStoredChain } from "../src/integrity.js";
import { hex } from "../src/store.js";
import { alice, bob, CHAIN_ID, makeBlock, openChain, testGenesis, transfer } from "./helpers.js";

/*
 * A dolev-strong chain stores a block only with a commit certificate that checks out against the
 * genesis validators (no proof of work), keeps the certificate with it, and never forks below
 * the final tip. Refusals are typed and store nothing.
 */

const keys: SigningKey[] = [1, 2, 3, 4].map((i) => signingKeyFromSeed(new Uint8Array(32).fill(i)));

function dsGenesis(chainId = CHAIN_ID): Genesis {
  const g = testGenesis({}, chainId);
  return {
    ...g,
    consensus: { ...g.consensus, kind: "dolev-strong", f: 1, roundMs: 100, slotMs: 300 },
    validators: keys.map((k) => ({ publicKey: hex(k.publicKey) })),
  };
}

/** f + 1 = 2 commit signatures (or the given signers) on the block for `slot`. */
function certificate(block: Block, slot: number, signers = [0, 2], chainId = CHAIN_ID): Uint8Array {
  const hash = headerHash(block.header);
  const msg = voteSigningBytes("commit", chainId, slot, hash);
  return encodeCertificate({
    slot,
    mask: maskOf(signers, keys.length),
    signatures: signers.map((i) => signRaw(keys[i]!, msg)),
  });
}

/** A block without proof of work (a dolev-strong block has none). */
const unmined = (chain: Chain, o: Parameters<typeof makeBlock>[1] = {}) =>
  makeBlock(chain, { ...o, noPow: true });

describe("a dolev-strong chain", () => {
  it("stores a block with its certificate, final, and shows the certificate", () => {
    const chain = openChain(dsGenesis());
    const block = unmined(chain, { txs: [transfer(alice, bob, 100n, 0)] });
    const cert = certificate(block, 7);
    const out = chain.submitBlock(block, undefined, cert);
    expect(out.verdict.status).toBe("connected");
    expect(chain.tipBlock.height).toBe(1);
    const json = chain.finality!.certificateJson(headerHash(block.header))!;
    expect(json).toMatchObject({ slot: 7, signers: [0, 2], bitmask: "05", hex: hex(cert) });
    expect(json.signatures).toHaveLength(2);
    // The first valid certificate stays: the same block with another certificate changes nothing.
    expect(chain.submitBlock(block, undefined, certificate(block, 7, [1, 3])).verdict.status).toBe("known");
    expect(chain.finality!.certificateJson(headerHash(block.header))!.signers).toEqual([0, 2]);
  });

  it("refuses a block without a certificate, with a forged one, or signed for another chain, storing nothing", () => {
    const chain = openChain(dsGenesis());
    const block = unmined(chain);
    const hash = headerHash(block.header);
    const refused = (cert: Uint8Array | undefined) => {
      try {
        chain.submitBlock(block, undefined, cert);
      } catch (err) {
        return (err as { code: string }).code;
      }
      return "stored";
    };
    expect(refused(undefined)).toBe("NO_CERTIFICATE");
    expect(refused(certificate(block, 3, [0]))).toBe("BAD_CERTIFICATE"); // f + 1 = 2 signers needed
    expect(refused(certificate(block, 3, [0, 1], "another-chain"))).toBe("BAD_CERTIFICATE");
    const forged = certificate(block, 3);
    forged[forged.length - 1]! ^= 1;
    expect(refused(forged)).toBe("BAD_CERTIFICATE");
    expect(refused(new Uint8Array([1, 2, 3]))).toBe("BAD_CERTIFICATE");
    expect(chain.store.blockMeta(hash)).toBeUndefined();
    expect(chain.finality!.store.certificate(hash)).toBeUndefined();
    expect(chain.tipBlock.height).toBe(0);
  });

  it("never forks below the final tip, and wants slots in order", () => {
    const chain = openChain(dsGenesis());
    const genesis = chain.tipBlock;
    const first = unmined(chain);
    chain.submitBlock(first, undefined, certificate(first, 5));
    const rival = unmined(chain, { parent: genesis, gap: 7 });
    expect(() => chain.submitBlock(rival, undefined, certificate(rival, 6))).toThrow(
      expect.objectContaining({ code: "CONFLICTS_WITH_FINAL" }),
    );
    const next = unmined(chain);
    expect(() => chain.submitBlock(next, undefined, certificate(next, 5))).toThrow(
      expect.objectContaining({ code: "BAD_CERTIFICATE" }),
    );
    chain.submitBlock(next, undefined, certificate(next, 6));
    expect(chain.tipBlock.height).toBe(2);
  });

  it("keeps certificates across a restart (same SQLite file)", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "p2pnode-finality-"));
    const genesis = dsGenesis();
    const chain = openChain(genesis, {}, dir);
    const block = unmined(chain);
    chain.submitBlock(block, undefined, certificate(block, 9));
    chain.store.close();
    const again = openChain(genesis, {}, dir);
    expect(again.tipBlock.height).toBe(1);
    expect(again.finality!.certificateJson(headerHash(block.header))?.slot).toBe(9);
  });
});

describe("re-validating a stored dolev-strong chain (POST /validate)", () => {
  const validate = (chain: Chain, genesis: Genesis) =>
    validateStoredChain(chain.store, genesis, { retarget: chain.retarget, signatures: true, yieldEvery: 10 });

  /** Three final blocks under a target no unmined header meets: sealed by certificates alone. */
  function certifiedChain() {
    const base = dsGenesis();
    const genesis = { ...base, consensus: { ...base.consensus, initialTarget: `000000${"f".repeat(58)}` } };
    const chain = openChain(genesis);
    const blocks = [1, 2, 3].map((slot) => {
      const b = unmined(chain, slot === 2 ? { txs: [transfer(alice, bob, 100n, 0)] } : {});
      chain.submitBlock(b, undefined, certificate(b, slot));
      return b;
    });
    return { chain, genesis, hashes: blocks.map((b) => headerHash(b.header)) };
  }

  it("accepts it on its certificates, with no proof of work", async () => {
    const { chain, genesis } = certifiedChain();
    expect(await validate(chain, genesis)).toMatchObject({
      ok: true,
      checkedHeight: 3,
      txs: 1,
      reason: null,
    });
  });

  it("names the first block whose certificate is missing or does not check out", async () => {
    const { chain, genesis, hashes } = certifiedChain();
    const db = chain.store.db;
    const bytes = chain.finality!.store.certificate(hashes[2]!)!.bytes;
    bytes[bytes.length - 1]! ^= 1;
    db.prepare("UPDATE certificates SET bytes = ? WHERE hash = ?").run(bytes, hashes[2]);
    expect(await validate(chain, genesis)).toMatchObject({
      ok: false,
      firstBadHeight: 3,
      reason: "BAD_CERTIFICATE",
    });
    db.prepare("DELETE FROM certificates WHERE hash = ?").run(hashes[1]);
    expect(await validate(chain, genesis)).toMatchObject({
      ok: false,
      firstBadHeight: 2,
      checkedHeight: 1,
      reason: "NO_CERTIFICATE",
    });
  });
});
