import { Worker } from "node:worker_threads";

/** How the pool starts a thread on its entry file; tests wrap it to reach the Worker. */
export type StartVerifyWorker = (entry: URL) => Worker;

/**
 * The verify thread's entry beside this module: `verify-worker.js` in the built package (the
 * production tree runs dist/), `verify-worker.ts` when running from sources (vitest, tsx with
 * `--conditions=source`).
 */
export function verifyWorkerEntry(): URL {
  const fromSource = import.meta.url.endsWith(".ts");
  return new URL(`./verify-worker.${fromSource ? "ts" : "js"}`, import.meta.url);
}

/**
 * Starts a thread on `entry`. A .ts entry needs the TypeScript loader inside the thread (Node 20
 * does not apply `--import` hooks to a worker's entry) and the "source" export condition; this is
 * kit's startWorker, which crypto cannot import (kit sits above it).
 */
export const startVerifyWorker: StartVerifyWorker = (entry) => {
  if (!entry.pathname.endsWith(".ts"))
    // No flags for a built entry: it needs none, a thread would inherit the process's, and Node
    // refuses per-process V8 flags in a worker (the supervisor starts services with
    // --max-semi-space-size) while `--conditions=source` would send it to .ts sources.
    return new Worker(entry, { execArgv: [] });
  const bootstrap = `import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, execArgv: ["--conditions=source"] });
};
