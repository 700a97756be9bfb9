import { statSync } from "node:fs";
import { join } from "node:path";
import { headerFromJson, headerToJson } from "@p2pnode/codec";
import { txId } from "@p2pnode/crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { Chain } from "../src/chain.js";
import { HeaderStore } from "../src/light/header-store.js";
import { LightChain } from "../src/light/light-chain.js";
import { hex } from "../src/store.js";
import { headersAfter } from "../src/sync/serve.js";
import { txInclusionProof } from "../src/sync/tx-proof.js";
import {
  alice,
  bob,
  extend,
  makeBlock,
  minerB,
  openChain,
  testGenesis,
  tmpDir,
  transfer,
} from "./helpers.js";

const genesis = testGenesis({ retargetWindow: 20 });
const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});
function full(): Chain {
  const c = openChain(genesis);
  closers.push(() => c.store.close());
  return c;
}
function light(dir = tmpDir()): { lc: LightChain; file: string; dir: string } {
  const file = join(dir, "headers.sqlite");
  const lc = new LightChain(genesis, new HeaderStore(file));
  closers.push(() => lc.close());
  return { lc, file, dir };
}
/** Headers from `from` after the light node's locator, through JSON as they travel. */
function syncHeaders(lc: LightChain, from: Chain): void {
  for (;;) {
    const hs = headersAfter(from, lc.locator(), 2_000).map((h) => headerFromJson(headerToJson(h)));
    if (hs.length === 0 || lc.accept(hs) === "ignored") return;
  }
}

describe("light node (headers only)", () => {
  it("keeps 1,000 blocks' headers in a small store and reloads them checked", () => {
    const f = full();
    extend(f, 1_000);
    const { lc, file, dir } = light();
    syncHeaders(lc, f);
    expect(lc.height).toBe(1_000);
    expect(lc.tipHashHex).toBe(hex(f.tipBlock.hash));
    lc.close();
    closers.pop();
    const bytes = ["", "-wal"].reduce(
      (n, s) => n + (statSync(`${file}${s}`, { throwIfNoEntry: false })?.size ?? 0),
      0,
    );
    console.info(`light store: ${bytes} bytes for 1,000 headers`);
    expect(bytes).toBeLessThan(1_000 * 1_024);
    const again = light(dir).lc;
    expect(again.height).toBe(1_000);
  });

  it("verifies a full node's tx inclusion proof against its own headers and rejects forged ones", () => {
    const f = full();
    extend(f, 3);
    const txs = [transfer(alice, bob, 10n, 0), transfer(alice, bob, 11n, 1), transfer(bob, alice, 5n, 0)];
    f.submitBlock(makeBlock(f, { txs }));
    extend(f, 2);
    const { lc } = light();
    syncHeaders(lc, f);
    const id = hex(txId(txs[1]!));
    const proof = txInclusionProof(f, id)!;
    expect(proof.height).toBe(4);
    expect(lc.verifyTxProof(proof)).toBe(true);

    const flip = (s: string) => (s[0] === "0" ? "1" : "0") + s.slice(1);
    // A tampered audit path, a tx that is not in the block, a block the light chain does not have,
    // another position, and a right proof pinned to the wrong height.
    expect(lc.verifyTxProof({ ...proof, path: [flip(proof.path[0]!), ...proof.path.slice(1)] })).toBe(false);
    expect(lc.verifyTxProof({ ...proof, txId: hex(txId(transfer(alice, bob, 99n, 7))) })).toBe(false);
    expect(lc.verifyTxProof({ ...proof, blockHash: flip(proof.blockHash) })).toBe(false);
    expect(lc.verifyTxProof({ ...proof, index: 0 })).toBe(false);
    expect(lc.verifyTxProof({ ...proof, height: 5 })).toBe(false);
    expect(lc.verifyTxProof({ ...proof, path: ["zz"] })).toBe(false);
  });

  it("rejects a header with bad proof of work and adopts only a heavier fork", () => {
    const f = full();
    extend(f, 10);
    const { lc } = light();
    syncHeaders(lc, f);
    const bad = makeBlock(f, { noPow: true, edit: (h) => (h.target = new Uint8Array(32).fill(0)) }).header;
    expect(() => lc.accept([bad])).toThrow();
    expect(lc.height).toBe(10);

    // A lighter fork from height 5 is ignored; a heavier one replaces our headers above 5.
    const g = full();
    for (const h of headersAfter(f, [], 5)) g.submitBlock({ header: h, txs: [] });
    extend(g, 3, { miner: minerB });
    expect(lc.accept(headersAfter(g, [hex(g.store.mainHashAt(5)!)], 100))).toBe("ignored");
    extend(g, 5, { miner: minerB });
    expect(lc.accept(headersAfter(g, [hex(g.store.mainHashAt(5)!)], 100))).toBe("reorg");
    expect(lc.tipHashHex).toBe(hex(g.tipBlock.hash));
    expect(lc.height).toBe(13);
  });
});
