import { parentPort } from "node:worker_threads";
import variant from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant } from "quickjs-emscripten-core";
import { runInSandbox, type SandboxOutcome, type SandboxRequest } from "./sandbox.js";

/** Messages between the pool and a sandbox thread. */
export type ToSandbox = { id: number; req: SandboxRequest };
export type FromSandbox = { ready: true } | { id: number; outcome: SandboxOutcome };

/*
 * Thread entry: one QuickJS WebAssembly module per thread, loaded once (~tens of ms); every job
 * gets a fresh runtime and context inside it. Runs one job at a time; the pool never sends a
 * second before the first is answered.
 */
const qjs = await newQuickJSWASMModuleFromVariant(variant);
parentPort?.on("message", (msg: ToSandbox) => {
  const reply: FromSandbox = { id: msg.id, outcome: runInSandbox(qjs, msg.req) };
  parentPort?.postMessage(reply);
});
parentPort?.postMessage({ ready: true } satisfies FromSandbox);
