import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readWallet, signTransaction } from "@p2pnode/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Devnet } from "../src/devnet.js";
import { freePortBase } from "../src/free-base.js";
import { type DevnetNode, serviceUrls } from "../src/layout.js";
import { allPids, isAlive, readPids, waitUntil } from "../src/processes.js";
import type { DevnetState } from "../src/state.js";
import { getJson, tipOf } from "./e2e-helpers.js";

// A dolev-strong devnet: 4 validators (f = 1, Δ = 1 s, 3 s slots), a full node and a light node.
// Blocks come only from consensus, final with a commit certificate everywhere; a validator killed
// with SIGKILL costs its own slots (⊥) until it is back and caught up; an equivocating leader
// (the devnet-only fault route) is caught by every honest node, which all decide the same.
const dir = mkdtempSync(join(tmpdir(), "p2pnode-consensus-e2e-"));
const devnet = new Devnet({ dir, logLevel: "warn" });
let state: DevnetState;

interface Certificate {
  slot: number;
  signers: number[];
  hex: string;
}
interface BlockView {
  hash: string;
  height: number;
  final?: boolean;
  certificate?: Certificate | null;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const chainUrl = (n: DevnetNode) => serviceUrls(n).chain!;
const height = async (n: DevnetNode) => (await tipOf(n))?.height ?? -1;
const block = (n: DevnetNode, id: string | number) => getJson<BlockView>(`${chainUrl(n)}/blocks/${id}`);
const full = () => state.nodes.filter((n) => n.role !== "light");
/** Waits until every node in `nodes` is at least at `h`. */
const allAt = (nodes: DevnetNode[], h: number, ms = 120_000) =>
  waitUntil(async () => (await Promise.all(nodes.map(height))).every((x) => x >= h), ms, 250);

beforeAll(async () => {
  state = await devnet.up({
    nodes: 6,
    validators: 4,
    light: 1,
    portBase: await freePortBase(6),
    readyTimeoutMs: 240_000,
  });
}, 300_000);
afterAll(() => devnet.down({ wipe: true }).catch(() => undefined), 60_000);

describe("dolev-strong devnet", () => {
  it("makes a transfer final on all six nodes with the same certificate", async () => {
    expect(state.nodes.map((n) => n.role)).toEqual([
      "validator",
      "validator",
      "validator",
      "validator",
      "full",
      "light",
    ]);
    expect(await allAt(state.nodes, 2)).toBe(true);
    const consensus = await getJson<{ kind: string; f: number; validators: unknown[]; self: number | null }>(
      `${chainUrl(state.nodes[0]!)}/consensus`,
    );
    expect(consensus).toMatchObject({ kind: "dolev-strong", f: 1, self: 0 });
    expect(consensus.validators).toHaveLength(4);

    const fullNode = state.nodes[4]!;
    const faucet = readWallet(devnet.faucetFile).key;
    const account = await getJson<{ pendingNonce: number }>(
      `${chainUrl(fullNode)}/accounts/${hex(faucet.address)}`,
    );
    const to = new Uint8Array(20).fill(0xc5);
    const stx = signTransaction(
      {
        kind: "transfer",
        from: faucet.publicKey,
        to,
        amount: 7_000n,
        fee: 100_000n,
        nonce: account.pendingNonce,
        memo: new Uint8Array(0),
      },
      state.chainId,
      faucet,
    );
    const sent = await fetch(`${chainUrl(fullNode)}/txs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        tx: {
          kind: "transfer",
          from: hex(faucet.publicKey),
          to: hex(to),
          amount: "7000",
          fee: "100000",
          nonce: account.pendingNonce,
          memo: "",
        },
        signature: hex(stx.signature),
      }),
    });
    expect(sent.status).toBeLessThan(300);
    const { id } = (await sent.json()) as { id: string };

    let where: { hash: string; height: number } | undefined;
    expect(
      await waitUntil(
        async () => {
          const s = await getJson<{ status: string; block?: { hash: string; height: number } }>(
            `${chainUrl(fullNode)}/txs/${id}`,
          ).catch(() => undefined);
          where = s?.block;
          return s?.status === "mined";
        },
        120_000,
        250,
      ),
    ).toBe(true);
    expect(await allAt(state.nodes, where!.height)).toBe(true);
    const views = await Promise.all(full().map((n) => block(n, where!.hash)));
    for (const v of views) {
      expect(v.final).toBe(true);
      expect(v.certificate!.signers.length).toBeGreaterThanOrEqual(2);
      expect(v.certificate!.hex).toBe(views[0]!.certificate!.hex);
    }
    const balances = await Promise.all(
      full().map((n) => getJson<{ balance: string }>(`${chainUrl(n)}/accounts/${hex(to)}`)),
    );
    expect(new Set(balances.map((b) => b.balance))).toEqual(new Set(["7000"]));
    // The light node holds the same header, taken only with its certificate.
    const light = state.nodes[5]!;
    const page = await getJson<{ blocks: BlockView[] }>(
      `${chainUrl(light)}/blocks?from=${where!.height}&limit=1`,
    );
    expect(page.blocks[0]?.hash).toBe(where!.hash);
    expect(page.blocks[0]?.final).toBe(true);
    expect(page.blocks[0]?.certificate?.hex).toBe(views[0]!.certificate!.hex);
  }, 400_000);

  it("keeps finalizing with a validator SIGKILLed; its slots end in ⊥ until it is back and caught up", async () => {
    const victim = state.nodes[3]!;
    const observer = state.nodes[4]!;
    for (const pid of allPids(readPids(victim.dataDir))) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    expect(
      await waitUntil(() => allPids(readPids(victim.dataDir)).every((p) => !isAlive(p)), 30_000, 100),
    ).toBe(true);
    const from = await height(observer);
    const bottomBefore = await bottomSlots(state.nodes[0]!);
    // Three more final blocks without it (the first one's slot may have started before the kill).
    expect(await allAt(state.nodes.slice(0, 3).concat(observer), from + 4)).toBe(true);
    const after = await Promise.all(Array.from({ length: 3 }, (_, i) => block(observer, from + 2 + i)));
    for (const b of after) {
      expect(b.final).toBe(true);
      expect(b.certificate!.slot % 4).not.toBe(3); // validator 3 led none of them
      expect(b.certificate!.signers).not.toContain(3);
    }
    expect(
      await waitUntil(async () => (await bottomSlots(state.nodes[0]!)) > bottomBefore, 60_000, 250),
    ).toBe(true);

    await devnet.startNode(victim.name, 180_000);
    const target = await height(observer);
    expect(await allAt([victim], target, 180_000)).toBe(true);
    const mine = await block(victim, target);
    expect(mine.hash).toBe((await block(observer, target)).hash);
    // Back in the rotation: a later block is one it led.
    expect(
      await waitUntil(
        async () => {
          const t = await height(observer);
          const b = await block(observer, t).catch(() => undefined);
          return b?.certificate?.slot !== undefined && b.certificate.slot % 4 === 3;
        },
        120_000,
        500,
      ),
    ).toBe(true);
  }, 600_000);

  it("survives an equivocating leader: evidence on every honest node, one chain, still growing", async () => {
    const liar = state.nodes[1]!;
    const on = await fetch(`${chainUrl(liar)}/admin/debug/consensus-fault`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${state.apiToken}` },
      body: JSON.stringify({ equivocate: true }),
    });
    expect(on.status).toBe(200);
    const honest = [0, 2, 3, 4].map((i) => state.nodes[i]!);
    expect(
      await waitUntil(
        async () => {
          const lists = await Promise.all(
            honest.map((n) =>
              getJson<{ evidence: { leader: number }[] }>(`${chainUrl(n)}/consensus/evidence`).catch(() => ({
                evidence: [],
              })),
            ),
          );
          return lists.every((l) => l.evidence.some((e) => e.leader === 1));
        },
        120_000,
        500,
      ),
    ).toBe(true);
    await fetch(`${chainUrl(liar)}/admin/debug/consensus-fault`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${state.apiToken}` },
      body: JSON.stringify({ equivocate: false }),
    });
    const h = await height(honest[3]!);
    expect(await allAt(honest, h + 2)).toBe(true);
    // Every honest node holds the same blocks at every height.
    for (let i = 1; i <= h + 2; i++) {
      const hashes = await Promise.all(honest.map((n) => block(n, i).then((b) => b.hash)));
      expect(new Set(hashes).size, `height ${i}`).toBe(1);
    }
  }, 400_000);
});

/** ⊥ slots a validator decided so far (its Prometheus counter). */
async function bottomSlots(n: DevnetNode): Promise<number> {
  const text = await fetch(`${chainUrl(n)}/metrics`).then((r) => r.text());
  const m = /^consensus_slots_total\{outcome="bottom"[^}]*\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}
