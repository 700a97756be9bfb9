import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Devnet, freePortBase, serviceUrls, waitUntil } from "@p2pnode/devnet";

/**
 * Jobs/s of a trivial function on a real devnet: node0's scheduler spreads one task's jobs over
 * its own sandbox and its peers' (computeJob through the gateways), replication 1 (distribution
 * cost only) and 2 (with voting). Returns the figures; the devnet is wiped afterwards.
 */
export interface DevnetJobsReport {
  nodes: number;
  jobs: number;
  replication: number;
  jobsPerSecond: number;
  /** Workers that answered at least one job (this node is "local"). */
  workersUsed: number;
}

async function json<T>(url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method: body === undefined ? "GET" : "POST",
    ...(body !== undefined && {
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function devnetJobs(
  nodes: number,
  jobs: number,
  replications: number[],
): Promise<DevnetJobsReport[]> {
  const devnet = new Devnet({
    dir: mkdtempSync(join(tmpdir(), "p2pnode-compute-bench-devnet-")),
    logLevel: "warn",
  });
  try {
    // A free base below the kernel's ephemeral ports: a fixed 31000 put node 2 at 33000, where an
    // outgoing connection had taken 33300 (its miner port) and `pnpm bench` failed.
    const state = await devnet.up({ nodes, miners: 0, portBase: await freePortBase(nodes) });
    const url = serviceUrls(state.nodes[0]!).compute!;
    const seen = () => json<{ workers: unknown[] }>(`${url}/workers`).then((w) => w.workers.length);
    if (!(await waitUntil(async () => (await seen().catch(() => 0)) >= nodes, 180_000, 500)))
      throw new Error(`node0 sees ${await seen()} of ${nodes} workers`);
    const fn = await json<{ hash: string }>(`${url}/functions`, { source: "(x) => x + 1" });
    const run = async (replication: number, count: number) => {
      const t0 = performance.now();
      const task = await json<{ id: string }>(`${url}/tasks`, {
        function: fn.hash,
        inputs: Array.from({ length: count }, (_, i) => i),
        replication,
        adaptive: false,
      });
      let view: { status: string; error?: unknown; jobs?: unknown } = { status: "running" };
      while (view.status === "running") {
        await new Promise((r) => setTimeout(r, 50));
        view = await json(`${url}/tasks/${task.id}`);
      }
      const ms = performance.now() - t0;
      if (view.status !== "done")
        throw new Error(
          `bench task ${view.status}: ${JSON.stringify(view.error)} ${JSON.stringify(view.jobs)}`,
        );
      const workers = new Set<string>();
      for (let offset = 0; offset < count; offset += 1000) {
        const page = await json<{ jobList: { attempts: { worker: string; status: string }[] }[] }>(
          `${url}/tasks/${task.id}?jobs=1&offset=${offset}&limit=1000`,
        );
        for (const j of page.jobList)
          for (const a of j.attempts) if (a.status === "ok") workers.add(a.worker);
      }
      return { ms, workers: workers.size };
    };
    await run(1, 3 * nodes); // every worker's threads up
    const out: DevnetJobsReport[] = [];
    for (const replication of replications) {
      const r = await run(replication, jobs);
      out.push({ nodes, jobs, replication, jobsPerSecond: (jobs / r.ms) * 1000, workersUsed: r.workers });
    }
    return out;
  } finally {
    await devnet.down({ wipe: true });
  }
}
