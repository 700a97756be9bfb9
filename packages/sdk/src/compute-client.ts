import {
  ComputeFunction,
  type FunctionRegisterRequest,
  TaskEvent,
  type TaskSubmitRequest,
  TaskView,
} from "@p2pnode/types";
import { callJson, clientError, unreachable } from "./http.js";
import { ServiceClient } from "./service-client.js";

const REGISTER_TIMEOUT_MS = 30_000;

/** The compute service's REST API (services/compute/README.md). */
export class ComputeClient extends ServiceClient {
  /**
   * The service may take its own bounds before it answers: a sandbox thread to start, the check
   * run (≤ 5 s) and the DHT publish (≤ 10 s). The default 10 s would give up on a register the
   * service then completes, so this call waits 30 s unless the caller set a timeout.
   */
  registerFunction(req: FunctionRegisterRequest) {
    return callJson("POST", this.url("/functions"), ComputeFunction, req, {
      ...this.opts,
      timeoutMs: this.opts.timeoutMs ?? REGISTER_TIMEOUT_MS,
    });
  }

  getFunction(hash: string) {
    return callJson("GET", this.url(`/functions/${hash}`), ComputeFunction, undefined, this.opts);
  }

  /**
   * `idempotencyKey`: a name for this submission; sent again with the same key (after a timeout or
   * a lost answer) it returns the task the first one made instead of a second task.
   */
  submitTask(req: TaskSubmitRequest, opts: { idempotencyKey?: string } = {}) {
    const headers =
      opts.idempotencyKey === undefined ? undefined : { "idempotency-key": opts.idempotencyKey };
    return callJson("POST", this.url("/tasks"), TaskView, req, { timeoutMs: 60_000, ...this.opts, headers });
  }

  /** Progress and result; `jobs` adds a page of per-job detail. */
  task(id: string, opts: { jobs?: boolean; offset?: number; limit?: number } = {}) {
    const q = new URLSearchParams();
    if (opts.jobs) q.set("jobs", "1");
    if (opts.offset !== undefined) q.set("offset", String(opts.offset));
    if (opts.limit !== undefined) q.set("limit", String(opts.limit));
    return callJson("GET", this.url(`/tasks/${encodeURIComponent(id)}?${q}`), TaskView, undefined, this.opts);
  }

  /**
   * The task's live progress (server-sent events): a snapshot, then each attempt and job decision,
   * ending with a `done` or `failed` event. Malformed events end the stream with an ApiError.
   */
  async *events(id: string, signal?: AbortSignal): AsyncGenerator<TaskEvent> {
    const url = this.url(`/tasks/${encodeURIComponent(id)}/events`);
    let res: Response;
    try {
      res = await fetch(url, { headers: { accept: "text/event-stream" }, signal });
    } catch (err) {
      throw unreachable("GET", url, err);
    }
    if (!res.ok || !res.body) {
      await this.task(id); // throws the server's typed error (e.g. 404)
      throw clientError("BAD_RESPONSE", `GET ${url}: status ${res.status}`, undefined, 502);
    }
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split("\n").find((l) => l.startsWith("data: "));
        if (data) yield parseEvent(data.slice(6), url);
        end = buffer.indexOf("\n\n");
      }
    }
  }
}

function parseEvent(text: string, url: string): TaskEvent {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw clientError("BAD_RESPONSE", `${url}: an event is not JSON`, undefined, 502);
  }
  const parsed = TaskEvent.safeParse(json);
  if (!parsed.success)
    throw clientError("BAD_RESPONSE", `${url}: an event fails its schema`, parsed.error.issues, 502);
  return parsed.data;
}
