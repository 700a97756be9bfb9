import { parentPort } from "node:worker_threads";
import variant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant, type QuickJSSyncVariant } from "quickjs-emscripten-core";
import { runInSandbox, type SandboxOutcome, type SandboxRequest } from "./sandbox.js";

/** Messages between the pool and a sandbox thread. */
export type ToSandbox = { id: number; req: SandboxRequest };
export type FromSandbox = { ready: true } | { id: number; outcome: SandboxOutcome };

/*
 * Thread entry: one QuickJS WebAssembly module per thread, loaded once (~tens of ms); every job
 * gets a fresh runtime and context inside it. Runs one job at a time; the pool never sends a
 * second before the first is answered.
 */
// The package types describe its CommonJS build; under ESM the default export is the variant itself.
const qjs = await newQuickJSWASMModuleFromVariant(variant as unknown as QuickJSSyncVariant);
parentPort?.on("message", (msg: ToSandbox) => {
  const reply: FromSandbox = { id: msg.id, outcome: runInSandbox(qjs, msg.req) };
  parentPort?.postMessage(reply);
});
parentPort?.postMessage({ ready: true } satisfies FromSandbox);
