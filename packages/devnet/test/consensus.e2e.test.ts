import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readWallet, signTransaction } from "@p2pnode/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Devnet } from "../src/devnet.js";
import { freePortBase } from "../src/free-base.js";
import { type DevnetNode, serviceUrls } from "../src/layout.js";
import { allPids, isAlive, readPids, waitUntil } from "../src/processes.js";
import type { DevnetState } from "../src/state.js";
import { getJson, reportFailures, tipOf } from "./e2e-helpers.js";

// A dolev-strong devnet: 4 validators (f = 1, Δ = 1 s, 3 s slots), a full node and a light node
// that join late (started once several blocks are final) and sync from certificates alone.
// Blocks come only from consensus, final with a commit certificate everywhere; GET /consensus
// states what the genesis and the chain say; a validator killed with SIGKILL costs its own slots
// (⊥) until it is back and caught up; an equivocating leader (the devnet-only fault route) is
// caught by every honest node, which all decide the same.
const dir = mkdtempSync(join(tmpdir(), "p2pnode-consensus-e2e-"));
const devnet = new Devnet({ dir, logLevel: "warn" });
let state: DevnetState;
reportFailures(() => state?.nodes);

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
interface Status {
  kind: string;
  self: number | null;
  validators: { index: number; publicKey: string; lastSeen: number | null }[];
  f: number;
  roundMs: number;
  slotMs: number;
  slot: number;
  phase: string;
  lastFinal: { height: number; hash: string; slot: number } | null;
  stats: { decided: number; bottom: number; finalized: number };
}
interface SlotView {
  slot: number;
  leader: number;
  outcome: string;
  values: string[];
}
interface Evidence {
  slot: number;
  leader: number;
  first: { blockHash: string };
  second: { blockHash: string };
}
interface GenesisFile {
  timestamp: number;
  consensus: { f: number; roundMs: number; slotMs: number };
  validators: { publicKey: string }[];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const chainUrl = (n: DevnetNode) => serviceUrls(n).chain!;
const height = async (n: DevnetNode) => (await tipOf(n))?.height ?? -1;
const block = (n: DevnetNode, id: string | number) => getJson<BlockView>(`${chainUrl(n)}/blocks/${id}`);
const full = () => state.nodes.filter((n) => n.role !== "light");
const status = (n: DevnetNode) => getJson<Status>(`${chainUrl(n)}/consensus`);
const slotsOf = (n: DevnetNode) =>
  getJson<{ slots: SlotView[] }>(`${chainUrl(n)}/consensus/slots?limit=64`).then((r) => r.slots);
const validators = () => state.nodes.slice(0, 4);
const LATE = ["node4", "node5"];
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
    hold: LATE,
  });
}, 300_000);
afterAll(() => devnet.down({ wipe: true }).catch(() => undefined), 60_000);

describe("dolev-strong devnet", () => {
  it("GET /consensus states the genesis validators, f and Δ, a running slot clock and the last final block", async () => {
    expect(state.nodes.map((n) => n.role)).toEqual([
      "validator",
      "validator",
      "validator",
      "validator",
      "full",
      "light",
    ]);
    const genesis = JSON.parse(readFileSync(state.genesisFile, "utf8")) as GenesisFile;
    expect(await allAt(validators(), 2)).toBe(true);
    for (const [i, n] of validators().entries()) {
      const before = Date.now();
      const s = await status(n);
      const after = Date.now();
      expect(s).toMatchObject({
        kind: "dolev-strong",
        self: i,
        f: genesis.consensus.f,
        roundMs: genesis.consensus.roundMs,
        slotMs: genesis.consensus.slotMs,
      });
      expect(s.f).toBe(1);
      expect(s.validators.map((v) => [v.index, v.publicKey])).toEqual(
        genesis.validators.map((v, j) => [j, v.publicKey]),
      );
      // Every validator has been heard from by now (its own entry included).
      for (const v of s.validators) expect(v.lastSeen).not.toBeNull();
      // The slot is the genesis clock's: slot s runs from timestamp + s·slotMs.
      const slotAt = (t: number) => Math.floor((t - genesis.timestamp) / genesis.consensus.slotMs);
      expect(s.slot).toBeGreaterThanOrEqual(slotAt(before));
      expect(s.slot).toBeLessThanOrEqual(slotAt(after));
      expect(s.phase).toMatch(/^(round [12]|commit)$/);
      // The last final block is the one GET /blocks holds at that height, with that slot's certificate.
      const last = s.lastFinal!;
      const b = await block(n, last.height);
      expect(b.hash).toBe(last.hash);
      expect(b.final).toBe(true);
      expect(b.certificate!.slot).toBe(last.slot);
      expect((await tipOf(n))!.height).toBeGreaterThanOrEqual(last.height);
      expect(s.stats.decided).toBeGreaterThan(0);
    }
    // The slot clock runs, and the last final block follows the chain.
    const first = await status(state.nodes[0]!);
    let later = first;
    expect(
      await waitUntil(
        async () => {
          later = await status(state.nodes[0]!);
          return later.slot > first.slot && later.lastFinal!.height > first.lastFinal!.height;
        },
        60_000,
        250,
      ),
    ).toBe(true);
    expect((await block(state.nodes[0]!, later.lastFinal!.height)).hash).toBe(later.lastFinal!.hash);
  }, 300_000);

  it("a full node and a light node that join late take only certified blocks and end with the validators' headers and certificates", async () => {
    const [fullNode, light] = [state.nodes[4]!, state.nodes[5]!];
    // Several blocks are final before either exists.
    expect(await allAt(validators(), 4)).toBe(true);
    expect(existsSync(join(fullNode.dataDir, "identity.key"))).toBe(false);
    expect(existsSync(join(light.dataDir, "identity.key"))).toBe(false);
    await devnet.startNode(fullNode.name, 180_000);
    await devnet.startNode(light.name, 180_000);
    const target = Math.min(...(await Promise.all(validators().map(height))));
    expect(await allAt([fullNode, light], target, 180_000)).toBe(true);

    // Both hold exactly the validators' blocks, each final with the same certificate bytes.
    const reference = await Promise.all(
      Array.from({ length: target }, (_, i) => block(state.nodes[0]!, i + 1)),
    );
    const sameAsValidators = async (upTo: number) => {
      const fullViews = await Promise.all(Array.from({ length: upTo }, (_, i) => block(fullNode, i + 1)));
      const lightViews: BlockView[] = [];
      for (let from = 1; from <= upTo; from += 100) {
        const page = await getJson<{ blocks: BlockView[] }>(
          `${chainUrl(light)}/blocks?from=${from}&limit=100`,
        );
        lightViews.push(...page.blocks);
      }
      return { fullViews, lightViews: lightViews.slice(0, upTo) };
    };
    const { fullViews, lightViews } = await sameAsValidators(target);
    for (const [i, ref] of reference.entries()) {
      expect(ref.final).toBe(true);
      for (const [who, v] of [
        ["full", fullViews[i]!],
        ["light", lightViews[i]!],
      ] as const) {
        expect(v.height, `${who} height ${i + 1}`).toBe(ref.height);
        expect(v.hash, `${who} height ${i + 1}`).toBe(ref.hash);
        expect(v.final, `${who} height ${i + 1}`).toBe(true);
        expect(v.certificate?.hex, `${who} height ${i + 1}`).toBe(ref.certificate!.hex);
        expect(v.certificate!.signers.length).toBeGreaterThanOrEqual(2);
      }
    }
    // The late full node follows certificates (no validator index) and agrees on the last final block.
    const s = await status(fullNode);
    expect(s.self).toBeNull();
    expect(s.validators.map((v) => v.publicKey)).toEqual(
      (await status(state.nodes[0]!)).validators.map((v) => v.publicKey),
    );
    expect((await block(state.nodes[0]!, s.lastFinal!.height)).hash).toBe(s.lastFinal!.hash);

    // And both keep following: two more final blocks, the same everywhere.
    expect(await allAt(state.nodes, target + 2)).toBe(true);
    for (const h of [target + 1, target + 2]) {
      const ref = await block(state.nodes[0]!, h);
      expect((await block(fullNode, h)).certificate!.hex).toBe(ref.certificate!.hex);
      const page = await getJson<{ blocks: BlockView[] }>(`${chainUrl(light)}/blocks?from=${h}&limit=1`);
      expect(page.blocks[0]?.hash).toBe(ref.hash);
      expect(page.blocks[0]?.certificate?.hex).toBe(ref.certificate!.hex);
    }
  }, 600_000);

  it("makes a transfer final on all six nodes with the same certificate", async () => {
    expect(await allAt(state.nodes, 2)).toBe(true);
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
    const killedAt = Date.now();
    const watcher = state.nodes[0]!;
    const from = await height(observer);
    const before = await status(watcher);
    const bottomBefore = await bottomSlots(watcher);
    // Three more final blocks without it (the first one's slot may have started before the kill).
    expect(await allAt(state.nodes.slice(0, 3).concat(observer), from + 4)).toBe(true);
    const after = await Promise.all(Array.from({ length: 3 }, (_, i) => block(observer, from + 2 + i)));
    for (const b of after) {
      expect(b.final).toBe(true);
      expect(b.certificate!.slot % 4).not.toBe(3); // validator 3 led none of them
      expect(b.certificate!.signers).not.toContain(3);
    }
    expect(await waitUntil(async () => (await bottomSlots(watcher)) > bottomBefore, 60_000, 250)).toBe(true);
    // GET /consensus counts those ⊥ slots and shows the victim silent since the kill; every slot
    // it led since then (the slot log's view) ended in ⊥.
    const during = await status(watcher);
    expect(during.stats.bottom).toBeGreaterThan(before.stats.bottom);
    // (a message already on its way when it died may land a moment after the kill, not a slot later)
    expect(during.validators[3]!.lastSeen!).toBeLessThanOrEqual(killedAt + during.slotMs);
    expect(during.validators[0]!.lastSeen!).toBeGreaterThan(killedAt);
    let led: SlotView[] = [];
    const closedSinceKill = async () =>
      (await slotsOf(watcher)).filter(
        (x) => x.leader === 3 && x.slot > before.slot + 1 && x.outcome !== "open",
      );
    expect(
      await waitUntil(
        async () => {
          led = await closedSinceKill();
          return led.length > 0;
        },
        60_000,
        500,
      ),
    ).toBe(true);
    for (const x of led) expect(x.outcome, `slot ${x.slot}`).toBe("bottom");
    expect((await status(watcher)).validators[3]!.lastSeen).toBe(during.validators[3]!.lastSeen);
    expect(during.lastFinal!.height).toBeGreaterThanOrEqual(from + 4);

    const restartedAt = Date.now();
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
    expect((await status(watcher)).validators[3]!.lastSeen!).toBeGreaterThan(restartedAt);
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
    // The evidence is what the fault made: two different blocks signed by validator 1 in a slot it
    // leads; a validator's slot log shows both of that slot's values.
    for (const n of honest) {
      const { evidence } = await getJson<{ evidence: Evidence[] }>(`${chainUrl(n)}/consensus/evidence`);
      const mine = evidence.filter((e) => e.leader === 1);
      expect(mine.length).toBe(evidence.length);
      for (const e of mine) {
        expect(e.slot % 4).toBe(1);
        expect(e.first.blockHash).not.toBe(e.second.blockHash);
      }
    }
    const { evidence } = await getJson<{ evidence: Evidence[] }>(
      `${chainUrl(honest[0]!)}/consensus/evidence`,
    );
    const slots = await slotsOf(honest[0]!);
    const seen = evidence.map((e) => slots.find((x) => x.slot === e.slot)).filter((x) => x !== undefined);
    expect(seen.length).toBeGreaterThan(0);
    for (const [i, x] of seen.entries()) {
      expect(x.leader).toBe(1);
      const e = evidence.find((y) => y.slot === x.slot)!;
      expect([...x.values].sort(), `slot ${x.slot} (${i})`).toEqual(
        [e.first.blockHash, e.second.blockHash].sort(),
      );
    }
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
