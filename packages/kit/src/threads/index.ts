import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * Starts a worker thread on a service's entry file given as its URL beside the caller
 * (`new URL("./x-worker.js", import.meta.url)`). Built code runs the .js file. Tests run on
 * sources (.ts): there the worker registers the TypeScript loader itself (Node 20 does not apply
 * `--import` hooks to a worker's entry) and resolves workspace packages through the "source"
 * export condition.
 */
export function startWorker(entry: URL, options: WorkerOptions = {}): Worker {
  const fromSource = entry.pathname.endsWith(".ts");
  if (!fromSource) return new Worker(entry, options);
  const bootstrap = `import("tsx/esm/api").then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, {
    ...options,
    eval: true,
    execArgv: [...(options.execArgv ?? []), "--conditions=source"],
  });
}

/** `./name.ts` when the caller runs from sources, `./name.js` when built. */
export function siblingEntry(callerUrl: string, name: string): URL {
  return new URL(`./${name}${callerUrl.endsWith(".ts") ? ".ts" : ".js"}`, callerUrl);
}
