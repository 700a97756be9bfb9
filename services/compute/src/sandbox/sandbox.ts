import { canonicalJson } from "@p2pnode/codec";
import { COMPUTE_MAX_RESULT_BYTES } from "@p2pnode/types";
import {
  DefaultIntrinsics,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from "quickjs-emscripten-core";
import { type ComputeErrorCode, DETERMINISTIC_CODES } from "../errors.js";
import { preludeSource, seedWords } from "./prelude.js";

/** QuickJS calls the interrupt handler once per this many interrupt-counter steps. */
export const INSTRUCTIONS_PER_TICK = 10_000;
/** Sandbox stack (QuickJS's own check, inside the WebAssembly stack): thousands of frames. */
export const DEFAULT_STACK_BYTES = 256 * 1024;
const MAX_MESSAGE_CHARS = 1_000;

export interface SandboxLimits {
  memoryBytes: number;
  /** Instruction budget (QuickJS interrupt-counter steps). */
  budget: number;
  deadlineMs: number;
  stackBytes?: number;
  maxResultBytes?: number;
}

export interface SandboxRequest {
  source: string;
  /** Canonical JSON of the argument; absent with `checkOnly`. */
  input?: string;
  /** 32 hex characters: seeds Math.random. */
  seed?: string;
  limits: SandboxLimits;
  /** Only evaluate the source and check that it yields a function (registration). */
  checkOnly?: boolean;
}

interface RunStats {
  instructions: number;
  ms: number;
  /** The interpreter's module may be damaged: the thread must be replaced after this run. */
  recycle?: boolean;
}
export type SandboxOutcome =
  | ({ ok: true; json: string } & RunStats)
  | ({ ok: false; code: ComputeErrorCode; message: string; deterministic: boolean } & RunStats);

class RunFailure {
  constructor(
    readonly code: ComputeErrorCode,
    readonly message: string,
  ) {}
}

/**
 * One run in a fresh QuickJS runtime and context: nothing survives between runs. Failures the
 * interpreter reports become typed outcomes; an exception out of the WebAssembly module itself
 * (a trap, an abort) is SANDBOX_CRASHED with `recycle`, since the module's memory is suspect.
 */
export function runInSandbox(qjs: QuickJSWASMModule, req: SandboxRequest): SandboxOutcome {
  const started = performance.now();
  const meter = new Meter(req.limits, started);
  const stats = () => ({
    instructions: meter.ticks * INSTRUCTIONS_PER_TICK,
    ms: performance.now() - started,
  });
  let rt: QuickJSRuntime | undefined;
  let outcome: SandboxOutcome;
  try {
    rt = qjs.newRuntime();
    rt.setMemoryLimit(req.limits.memoryBytes);
    rt.setMaxStackSize(req.limits.stackBytes ?? DEFAULT_STACK_BYTES);
    rt.setInterruptHandler(() => meter.interrupt());
    const json = runInRuntime(rt, req, meter);
    outcome = { ok: true, json, ...stats() };
  } catch (err) {
    if (err instanceof RunFailure) {
      const deterministic = DETERMINISTIC_CODES.has(err.code);
      outcome = { ok: false, code: err.code, message: err.message, deterministic, ...stats() };
    } else {
      const message = `sandbox failed: ${(err as Error)?.message ?? String(err)}`.slice(0, MAX_MESSAGE_CHARS);
      return { ok: false, code: "SANDBOX_CRASHED", message, deterministic: false, ...stats(), recycle: true };
    }
  }
  try {
    rt?.dispose();
  } catch {
    outcome.recycle = true;
  }
  return outcome;
}

/** Counts interrupt ticks against the budget and checks the deadline at each. */
class Meter {
  ticks = 0;
  stopped: "BUDGET_EXCEEDED" | "TIMEOUT" | undefined;
  /** Off while the host reads an error out of the context. */
  active = true;
  private readonly maxTicks: number;
  private readonly deadline: number;

  constructor(limits: SandboxLimits, started: number) {
    this.maxTicks = Math.max(1, Math.floor(limits.budget / INSTRUCTIONS_PER_TICK));
    this.deadline = started + limits.deadlineMs;
  }

  interrupt(): boolean {
    if (!this.active) return false;
    if (this.stopped) return true;
    this.ticks++;
    if (this.ticks > this.maxTicks) this.stopped = "BUDGET_EXCEEDED";
    else if (performance.now() > this.deadline) this.stopped = "TIMEOUT";
    return this.stopped !== undefined;
  }
}

function runInRuntime(rt: QuickJSRuntime, req: SandboxRequest, meter: Meter): string {
  const ctx = rt.newContext({ intrinsics: { ...DefaultIntrinsics, Date: false } });
  const handles: QuickJSHandle[] = [];
  const keep = (h: QuickJSHandle) => {
    handles.push(h);
    return h;
  };
  const fail = (error: QuickJSHandle, phase: "prelude" | "source" | "call") => {
    keep(error);
    return classify(rt, ctx, error, meter, phase, req.source);
  };
  try {
    const prelude = ctx.evalCode(preludeSource(seedWords(req.seed)), "prelude.js", { strict: true });
    if (prelude.error) throw fail(prelude.error, "prelude");
    const helpers = keep(prelude.value);
    const parse = keep(ctx.getProp(helpers, "parse"));
    const stringify = keep(ctx.getProp(helpers, "stringify"));

    const evaluated = ctx.evalCode(req.source, "function.js", { strict: true });
    if (evaluated.error) throw fail(evaluated.error, "source");
    const fn = keep(evaluated.value);
    if (ctx.typeof(fn) !== "function")
      throw new RunFailure("NOT_A_FUNCTION", `the source evaluates to ${ctx.typeof(fn)}, not a function`);
    if (req.checkOnly) return "null";

    const text = keep(ctx.newString(req.input ?? "null"));
    const input = ctx.callFunction(parse, ctx.undefined, text);
    if (input.error) throw fail(input.error, "call");
    const returned = ctx.callFunction(fn, ctx.undefined, keep(input.value));
    if (returned.error) throw fail(returned.error, "call");
    const value = settle(rt, ctx, keep(returned.value), keep, fail);
    const json = ctx.callFunction(stringify, ctx.undefined, value);
    if (json.error) throw fail(json.error, "call");
    keep(json.value);
    if (ctx.typeof(json.value) !== "string")
      throw new RunFailure("RESULT_NOT_JSON", "the function returned a value JSON cannot hold (undefined?)");
    return canonicalResult(ctx.getString(json.value), req.limits.maxResultBytes ?? COMPUTE_MAX_RESULT_BYTES);
  } finally {
    for (const h of handles.reverse()) if (h.alive) h.dispose();
    ctx.dispose();
  }
}

/** Waits (inside the VM) for a returned promise; a non-promise is its own value. */
function settle(
  rt: QuickJSRuntime,
  ctx: QuickJSContext,
  returned: QuickJSHandle,
  keep: (h: QuickJSHandle) => QuickJSHandle,
  fail: (error: QuickJSHandle, phase: "call") => RunFailure,
): QuickJSHandle {
  let state = ctx.getPromiseState(returned);
  while (state.type === "pending") {
    const ran = rt.executePendingJobs();
    if (ran.error) throw fail(ran.error, "call");
    const executed = ran.value;
    state = ctx.getPromiseState(returned);
    if (state.type === "pending" && executed === 0)
      throw new RunFailure("FUNCTION_ERROR", "the returned promise never settles");
  }
  if (state.type === "rejected") throw fail(state.error, "call");
  return state.notAPromise ? returned : keep(state.value);
}

function canonicalResult(text: string, maxBytes: number): string {
  if (text.length > maxBytes) throw tooLarge(maxBytes);
  const json = canonicalJson(JSON.parse(text));
  if (Buffer.byteLength(json) > maxBytes) throw tooLarge(maxBytes);
  return json;
}

const tooLarge = (max: number) =>
  new RunFailure("RESULT_TOO_LARGE", `the result's canonical JSON exceeds ${max} bytes`);

/** Turns what the interpreter threw into a typed failure; reads it with the limits lifted. */
function classify(
  rt: QuickJSRuntime,
  ctx: QuickJSContext,
  error: QuickJSHandle,
  meter: Meter,
  phase: "prelude" | "source" | "call",
  source: string,
): RunFailure {
  if (meter.stopped) {
    const what = meter.stopped === "TIMEOUT" ? "the deadline passed" : "the instruction budget ran out";
    return new RunFailure(meter.stopped, what);
  }
  meter.active = false;
  rt.setMemoryLimit(-1);
  const dumped = ctx.dump(error) as unknown;
  const e = (typeof dumped === "object" && dumped !== null ? dumped : {}) as {
    name?: unknown;
    message?: unknown;
  };
  const name = typeof e.name === "string" ? e.name : "";
  const message = typeof e.message === "string" ? e.message : String(dumped);
  const text = `${name ? `${name}: ` : ""}${message}`.slice(0, MAX_MESSAGE_CHARS);
  if (name === "InternalError" && message === "out of memory")
    return new RunFailure("MEMORY_LIMIT", "the sandbox heap limit was reached");
  if (name === "InternalError" && message === "stack overflow")
    return new RunFailure("STACK_OVERFLOW", "recursion deeper than the sandbox stack");
  if (phase === "source" && name === "SyntaxError" && isParseError(ctx, source))
    return new RunFailure("SYNTAX_ERROR", text);
  return new RunFailure("FUNCTION_ERROR", text);
}

/** A SyntaxError from parsing, not one the code threw (JSON.parse): compiling alone fails too. */
function isParseError(ctx: QuickJSContext, source: string): boolean {
  const compiled = ctx.evalCode(source, "function.js", { strict: true, compileOnly: true });
  if (compiled.error) {
    compiled.error.dispose();
    return true;
  }
  compiled.value.dispose();
  return false;
}
