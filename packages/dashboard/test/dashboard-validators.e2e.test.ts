import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  allPids,
  Devnet,
  type DevnetNode,
  type DevnetState,
  freePortBase,
  isAlive,
  readPids,
  serviceUrls,
  waitUntil,
} from "@p2pnode/devnet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OfflineBrowser, offlineBrowser } from "./browser.js";

// The consensus and compute panels as a user sees them: a dolev-strong devnet (4 validators,
// f = 1, Δ = 1 s, and a full node), the page on the full node in headless Chromium with the
// internet cut off. Screenshots land in test-artifacts/ (gitignored).
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "..", "test-artifacts");
const dir = mkdtempSync(join(tmpdir(), "p2pnode-dashboard-validators-e2e-"));
const devnet = new Devnet({ dir, logLevel: "warn" });
let state: DevnetState;
let browser: OfflineBrowser;
const node = (i: number): DevnetNode => state.nodes[i]!;

interface Heat {
  validators: number;
  /** Per shown slot: its outcome, leader and which validators signed anything in it. */
  columns: { slot: number; outcome: string; leader: number; equivocated: boolean; signers: number[] }[];
  evidence: number;
  /** Leaders named in the evidence list. */
  liars: number[];
  /** Compute tasks: id → [status, done, total]. */
  tasks: Record<string, [string, number, number]>;
  taskWorkers: number;
}

/** What the consensus and compute panels show. */
async function shown(): Promise<Heat | null> {
  return browser.page.evaluate(() => {
    const panel = document.getElementById("consensus-panel")!;
    const root = document.querySelector<HTMLElement>("#consensus .consensus");
    if (panel.hidden || !root) return null;
    const columns = [...root.querySelectorAll<HTMLElement>("th.slot-head")].map((th) => {
      const slot = th.dataset.slot!;
      const signers = new Set<number>();
      for (const td of root.querySelectorAll<HTMLElement>(`td.cell[data-slot="${slot}"]`)) {
        if (td.dataset.kind) signers.add(Number(td.closest("tr")!.dataset.validator));
      }
      return {
        slot: Number(slot),
        outcome: th.dataset.outcome!,
        leader: Number(th.dataset.leader),
        equivocated: th.dataset.equivocated === "true",
        signers: [...signers].sort(),
      };
    });
    const tasks: Record<string, [string, number, number]> = {};
    for (const tr of document.querySelectorAll<HTMLElement>("#compute tr[data-task]")) {
      tasks[tr.dataset.task!] = [tr.dataset.status!, Number(tr.dataset.done), Number(tr.dataset.total)];
    }
    return {
      validators: Number(root.dataset.validators),
      columns,
      evidence: Number(root.querySelector<HTMLElement>(".evidence")?.dataset.count ?? -1),
      liars: [...root.querySelectorAll<HTMLElement>(".evidence li")].map((li) => Number(li.dataset.leader)),
      tasks,
      taskWorkers: document.querySelectorAll("#compute .task-workers tr[data-worker]").length,
    };
  });
}
const pageShows = (pred: (s: Heat) => boolean, timeoutMs = 90_000) =>
  waitUntil(
    async () => {
      const s = await shown();
      return s !== null && pred(s);
    },
    timeoutMs,
    250,
  );
async function post(url: string, body: unknown): Promise<{ id: string; hash: string }> {
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (r.status >= 300) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  return r.json() as Promise<{ id: string; hash: string }>;
}

beforeAll(async () => {
  state = await devnet.up({
    nodes: 5,
    validators: 4,
    portBase: await freePortBase(5),
    readyTimeoutMs: 240_000,
  });
  browser = await offlineBrowser();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await devnet.down({ wipe: true }).catch(() => undefined);
}, 60_000);

describe("dashboard on the full node of a 4-validator devnet", () => {
  it("shows who signed in which round, final slots, ⊥ once a validator is SIGKILLed, and a compute task's progress", async () => {
    const full = node(4);
    expect(full.role).toBe("full");
    await browser.page.goto(`${serviceUrls(full).gateway}/dashboard`);

    // The heatmap: all four validators, and a final slot every one of them signed in.
    const signedByAll = await pageShows(
      (s) =>
        s.validators === 4 && s.columns.some((c) => c.outcome === "final" && c.signers.join() === "0,1,2,3"),
    );
    const first = await shown();
    expect(signedByAll, JSON.stringify(first)).toBe(true);
    expect(first!.evidence).toBe(0);
    // A final column is the slot of the chain's block with that certificate.
    const tip = (await (await fetch(`${serviceUrls(full).chain}/tip`)).json()) as { height: number };
    const b = (await (await fetch(`${serviceUrls(full).chain}/blocks/${tip.height}`)).json()) as {
      final: boolean;
      certificate: { slot: number };
    };
    expect(b.final).toBe(true);
    expect(
      await pageShows((s) => s.columns.some((c) => c.slot === b.certificate.slot && c.outcome === "final")),
    ).toBe(true);

    // A compute task submitted on this node: its progress reaches done/total, its workers listed
    // once it is selected (the selection goes into the URL).
    const compute = serviceUrls(full).compute!;
    const fn = await post(`${compute}/functions`, {
      source: "(x) => { let s = x; for (let i = 0; i < 20000; i++) s = (s * 31 + i) % 1000003; return s; }",
    });
    const task = await post(`${compute}/tasks`, {
      function: fn.hash,
      inputs: Array.from({ length: 40 }, (_, i) => i),
    });
    expect(await pageShows((s) => s.tasks[task.id] !== undefined)).toBe(true);
    expect(
      await pageShows((s) => s.tasks[task.id]?.join() === "done,40,40"),
      JSON.stringify((await shown())?.tasks),
    ).toBe(true);
    await browser.page.click(`#compute tr[data-task="${task.id}"]`);
    expect(await pageShows((s) => s.taskWorkers >= 1)).toBe(true);
    expect(new URL(browser.page.url()).searchParams.get("task")).toBe(task.id);
    await (await browser.page.$("#compute-panel"))!.screenshot({
      path: join(ARTIFACTS, "dashboard-compute-panel.png"),
    });

    // SIGKILL validator 3: its own slots end in ⊥ with nothing from it; the others stay final.
    const killedAt = (
      (await (await fetch(`${serviceUrls(full).chain}/consensus`)).json()) as { slot: number }
    ).slot;
    for (const pid of allPids(readPids(node(3).dataDir))) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    expect(
      await waitUntil(() => allPids(readPids(node(3).dataDir)).every((p) => !isAlive(p)), 30_000, 100),
    ).toBe(true);
    const bottom = await pageShows(
      (s) =>
        s.columns.some(
          (c) => c.slot > killedAt + 1 && c.leader === 3 && c.outcome === "bottom" && !c.signers.includes(3),
        ) &&
        s.columns.some(
          (c) => c.slot > killedAt + 1 && c.leader !== 3 && c.outcome === "final" && !c.signers.includes(3),
        ),
    );
    await browser.page.screenshot({ path: join(ARTIFACTS, "dashboard-consensus.png"), fullPage: true });
    expect(bottom, JSON.stringify((await shown())?.columns)).toBe(true);
    const panel = await browser.page.$("#consensus-panel");
    await panel!.screenshot({ path: join(ARTIFACTS, "dashboard-consensus-panel.png") });

    // Validator 1 equivocates when it leads (the devnet fault route): its slot shows two values
    // and the evidence list names it.
    const fault = (equivocate: boolean) =>
      fetch(`${serviceUrls(node(1)).chain}/admin/debug/consensus-fault`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${state.apiToken}` },
        body: JSON.stringify({ equivocate }),
      });
    expect((await fault(true)).status).toBe(200);
    const caught = await pageShows(
      (s) => s.liars.includes(1) && s.columns.some((c) => c.leader === 1 && c.equivocated),
    );
    await fault(false);
    await (await browser.page.$("#consensus-panel"))!.screenshot({
      path: join(ARTIFACTS, "dashboard-consensus-evidence.png"),
    });
    expect(caught, JSON.stringify(await shown())).toBe(true);

    // On a phone-sized screen the heatmap and the task table scroll inside their panels.
    await browser.page.setViewportSize({ width: 390, height: 844 });
    // The graph's canvas follows the new width on its resize observer: wait for the page to settle.
    const overflow = () =>
      browser.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    const fits = await waitUntil(async () => (await overflow()) <= 0, 15_000, 100);
    await browser.page.screenshot({ path: join(ARTIFACTS, "dashboard-consensus-phone.png"), fullPage: true });
    expect(fits, `${await overflow()} px wider than the screen`).toBe(true);

    // Nothing left this machine: the page needs no internet.
    expect(browser.outside).toEqual([]);
  }, 600_000);
});
