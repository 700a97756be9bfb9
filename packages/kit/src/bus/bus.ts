import { CodedError, type EndpointDef, ErrorBody, type EventDef, type RelayedCode } from "@p2pnode/types";
import {
  connect,
  Match,
  type Msg,
  type NatsConnection,
  headers as natsHeaders,
  type Service,
  type ServiceMsg,
  type Subscription,
} from "nats";
import type { z } from "zod";
import type { Logger } from "../log/index.js";
import { decodePayload, encodeError, encodePayload, safeJson } from "./payload.js";
import { checkServerMaxPayload } from "./server-config.js";

export interface BusOptions {
  url: string;
  token: string | undefined;
  /** Client name shown by the server's connz, e.g. "chain". */
  name: string;
  version: string;
  log: Logger;
}

/** What an endpoint's handler gets besides the parsed payload. */
export interface RequestMeta {
  /**
   * A NATS header of the request, its name in any case: its first value ("" when sent empty), or
   * undefined when absent.
   */
  header(name: string): string | undefined;
}
type Handler<Req extends z.ZodType, Rep extends z.ZodType> = (
  req: z.infer<Req>,
  meta: RequestMeta,
) => Promise<z.infer<Rep>> | z.infer<Rep>;

/**
 * A typed NATS bus over the subject catalog: requests use the NATS services API (so `$SRV.PING`
 * and `$SRV.STATS` list every endpoint), events plain publish. Payloads are JSON or canonical CBOR
 * as the subject declares (payload.ts); every payload is parsed with its schema on receipt, and a
 * bad one gets an error reply (or is dropped and logged), never a crash.
 */
export class Bus {
  private readonly services = new Map<string, Promise<Service>>();
  private readonly subs: Subscription[] = [];
  /** False from a disconnect until the reconnect: a service does not acknowledge writes meanwhile. */
  private linked = true;

  private constructor(
    readonly nc: NatsConnection,
    private readonly opts: BusOptions,
  ) {
    void this.trackConnection();
  }

  private async trackConnection(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === "disconnect") this.linked = false;
      else if (s.type === "reconnect") this.linked = true;
    }
  }

  static async connect(opts: BusOptions): Promise<Bus> {
    const nc = await connect({
      servers: opts.url,
      token: opts.token,
      name: opts.name,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      timeout: 5_000,
    });
    try {
      checkServerMaxPayload(nc.info?.max_payload, opts.url);
    } catch (err) {
      await nc.close();
      throw err;
    }
    return new Bus(nc, opts);
  }

  get isConnected(): boolean {
    return this.linked && !this.nc.isClosed() && this.nc.info !== undefined;
  }

  /**
   * Serves one catalog endpoint. Handler errors that are CodedErrors reach the caller as-is. The
   * handler may read the request's NATS headers (`Idempotency-Key` on compute's submit, as on its
   * REST route); a header is untrusted input like the payload, and the handler validates it.
   */
  async serve<Req extends z.ZodType, Rep extends z.ZodType>(
    def: EndpointDef<Req, Rep>,
    handler: Handler<Req, Rep>,
  ): Promise<void> {
    const service = await this.serviceFor(def.service);
    service.addEndpoint(def.subject.replaceAll(".", "_"), {
      subject: def.subject,
      metadata: { description: def.description },
      handler: (err, msg) => {
        if (err) {
          this.opts.log.error({ err, subject: def.subject }, "endpoint subscription failed");
          return;
        }
        void this.answer(def, handler, msg);
      },
    });
    // The subscription goes out buffered: one round trip makes sure the server has it, so a request
    // sent once serve() has resolved (from any connection) finds the endpoint instead of "no responders".
    await this.nc.flush();
  }

  private async answer<Req extends z.ZodType, Rep extends z.ZodType>(
    def: EndpointDef<Req, Rep>,
    handler: Handler<Req, Rep>,
    msg: ServiceMsg,
  ): Promise<void> {
    try {
      const req = parsePayload(def.request, def.encoding, msg.data, def.subject);
      const rep = await handler(req, {
        // Names match whatever their case, as HTTP's do: a client's "idempotency-key" is the key.
        header: (name) =>
          msg.headers?.has(name, Match.IgnoreCase) ? msg.headers.get(name, Match.IgnoreCase) : undefined,
      });
      msg.respond(encodePayload(def.encoding, def.reply.parse(rep)));
    } catch (err) {
      const coded = toCoded(err);
      if (coded.status >= 500) this.opts.log.error({ err, subject: def.subject }, "endpoint handler failed");
      msg.respondError(coded.status, coded.code, encodeError(coded.toBody()));
    }
  }

  /** Calls an endpoint; a remote error is rethrown as the same CodedError. */
  async request<Req extends z.ZodType, Rep extends z.ZodType>(
    def: EndpointDef<Req, Rep>,
    payload: z.input<Req>,
    timeoutMs = 5_000,
    opts: { headers?: Record<string, string> } = {},
  ): Promise<z.infer<Rep>> {
    const body = encodePayload(def.encoding, def.request.parse(payload));
    let msg: Msg;
    try {
      const entries = Object.entries(opts.headers ?? {});
      const hdrs = entries.length > 0 ? natsHeaders() : undefined;
      for (const [k, v] of entries) hdrs?.set(k, v);
      msg = await this.nc.request(def.subject, body, { timeout: timeoutMs, ...(hdrs && { headers: hdrs }) });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "503") throw new CodedError("UPSTREAM_UNAVAILABLE", `no service answers ${def.subject}`);
      if (code === "TIMEOUT")
        throw new CodedError("TIMEOUT", `${def.subject} did not answer in ${timeoutMs} ms`);
      throw err;
    }
    if (msg.headers?.get("Nats-Service-Error-Code")) {
      const parsed = ErrorBody.safeParse(safeJson(msg.data));
      if (!parsed.success) throw new CodedError("INTERNAL", `${def.subject}: unreadable error reply`);
      const e = parsed.data.error;
      // The serving service's code, passed on as it came: its set is that service's.
      throw new CodedError<RelayedCode>(
        e.code,
        e.message,
        e.details,
        Number(msg.headers.get("Nats-Service-Error-Code")),
      );
    }
    return parsePayload(def.reply, def.encoding, msg.data, def.subject);
  }

  /**
   * Publishes an event. Events are fire-and-forget (a subscriber that is down misses them, and
   * their consumers reconcile), so one published after close() began, from a timer or a socket
   * callback of a stopping service, is dropped with a warning: thrown there, nothing could catch
   * it and the stopping process would die of an uncaught error.
   */
  publish<P extends z.ZodType>(def: EventDef<P>, payload: z.input<P>): void {
    if (this.nc.isClosed() || this.nc.isDraining()) {
      this.opts.log.warn({ subject: def.subject }, "event dropped: the bus is closing");
      return;
    }
    this.nc.publish(def.subject, encodePayload(def.encoding, def.payload.parse(payload)));
  }

  /**
   * Subscribes to an event; malformed payloads are counted in the log and skipped. The returned
   * promise resolves once the server has the subscription (one round trip, as serve() waits for):
   * the SUB goes out buffered, so an event another connection publishes right after subscribe()
   * returns can reach the server first and be missed. Await it when what follows triggers the
   * event; a flush that fails (the connection is closing) resolves it too, since no event would
   * arrive anyway, and callers that do not wait cannot leave a rejection unhandled.
   */
  subscribe<P extends z.ZodType>(
    def: EventDef<P>,
    handler: (payload: z.infer<P>) => void | Promise<void>,
  ): Promise<void> {
    const sub = this.nc.subscribe(def.subject, {
      callback: (err, msg) => {
        if (err) return;
        let payload: z.infer<P>;
        try {
          payload = parsePayload(def.payload, def.encoding, msg.data, def.subject);
        } catch (e) {
          this.opts.log.warn({ subject: def.subject, err: (e as Error).message }, "dropped malformed event");
          return;
        }
        Promise.resolve(handler(payload)).catch((e: unknown) =>
          this.opts.log.error({ err: e, subject: def.subject }, "event handler failed"),
        );
      },
    });
    this.subs.push(sub);
    return this.nc.flush().catch(() => undefined);
  }

  async close(): Promise<void> {
    for (const s of this.subs) s.unsubscribe();
    for (const s of this.services.values()) await (await s).stop().catch(() => undefined);
    if (this.nc.isClosed()) return;
    // Drain flushes what is in flight; when the server is already gone it would wait, so bound it.
    const bounded = new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref());
    await Promise.race([this.nc.drain().catch(() => undefined), bounded]);
    if (!this.nc.isClosed()) await this.nc.close();
  }

  private serviceFor(name: string): Promise<Service> {
    let s = this.services.get(name);
    if (!s) {
      s = this.nc.services.add({ name, version: this.opts.version, description: `p2pnode ${name}` });
      this.services.set(name, s);
    }
    return s;
  }
}

function parsePayload<S extends z.ZodType>(
  schema: S,
  encoding: EndpointDef["encoding"],
  data: Uint8Array,
  subject: string,
): z.infer<S> {
  const r = schema.safeParse(decodePayload(encoding, data, subject));
  if (!r.success)
    throw new CodedError("VALIDATION_FAILED", `${subject}: payload fails its schema`, r.error.issues);
  return r.data;
}

function toCoded(err: unknown): CodedError {
  if (err instanceof CodedError) return err;
  return new CodedError("INTERNAL", "internal error", undefined, 500);
}
