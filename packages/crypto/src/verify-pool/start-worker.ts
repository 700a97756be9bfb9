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
    return new Worker(entry, { execArgv: withoutConditions(process.execArgv) });
  const bootstrap = `import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, execArgv: ["--conditions=source"] });
};

/**
 * A built entry resolves the workspace's built packages: a thread inherits its process's flags,
 * and `--conditions=source` (vitest, tsx scripts) would send it to .ts sources it cannot load.
 */
function withoutConditions(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--conditions" || a === "-C") i++;
    else if (!a.startsWith("--conditions=") && !a.startsWith("-C=")) out.push(a);
  }
  return out;
}
