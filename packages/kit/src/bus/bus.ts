import { BUS_MAX_PAYLOAD_BYTES } from "@p2pnode/codec";
import { CodedError, declaresError, type EndpointDef, ErrorBody, type EventDef } from "@p2pnode/types";
import {
  connect,
  type Msg,
  type NatsConnection,
  type Service,
  type ServiceMsg,
  type Subscription,
} from "nats";
import type { z } from "zod";
import type { Logger } from "../log/index.js";
import { assertFits, decodePayload, encodeError, encodePayload, safeJson } from "./payload.js";

export interface BusOptions {
  url: string;
  token: string | undefined;
  /** Client name shown by the server's connz, e.g. "chain". */
  name: string;
  version: string;
  log: Logger;
}

/**
 * A typed NATS bus over the subject catalog: requests use the NATS services API (so `$SRV.PING`
 * and `$SRV.STATS` list every endpoint), events plain publish. Payloads are JSON or canonical
 * CBOR as the subject declares; every payload is parsed with its schema on receipt, and a bad one
 * gets an error reply (or is dropped and logged), never a crash. A payload over the server's
 * max_payload is refused here with PAYLOAD_TOO_LARGE, before it is sent.
 */
export class Bus {
  private readonly services = new Map<string, Promise<Service>>();
  private readonly subs: Subscription[] = [];
  /** Error codes this bus's endpoints answered with that their declarations do not list (tests read it). */
  readonly undeclared: { subject: string; code: string }[] = [];
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
    return new Bus(nc, opts);
  }

  /** The server's max_payload (the supervisor configures BUS_MAX_PAYLOAD_BYTES). */
  get maxPayload(): number {
    return this.nc.info?.max_payload ?? BUS_MAX_PAYLOAD_BYTES;
  }

  get isConnected(): boolean {
    return this.linked && !this.nc.isClosed() && this.nc.info !== undefined;
  }

  /** Serves one catalog endpoint. Handler errors that are CodedErrors reach the caller as-is. */
  async serve<Req extends z.ZodType, Rep extends z.ZodType>(
    def: EndpointDef<Req, Rep>,
    handler: (req: z.infer<Req>) => Promise<z.infer<Rep>> | z.infer<Rep>,
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
  }

  private async answer<Req extends z.ZodType, Rep extends z.ZodType>(
    def: EndpointDef<Req, Rep>,
    handler: (req: z.infer<Req>) => Promise<z.infer<Rep>> | z.infer<Rep>,
    msg: ServiceMsg,
  ): Promise<void> {
    try {
      const req = parsePayload(def.request, def.encoding, msg.data, def.subject);
      const rep = await handler(req);
      const body = encodePayload(def.encoding, def.reply.parse(rep));
      assertFits(body, this.maxPayload, def.subject);
      msg.respond(body);
    } catch (err) {
      const coded = toCoded(err);
      if (coded.status >= 500 || coded.code === "PAYLOAD_TOO_LARGE")
        this.opts.log.error({ err, subject: def.subject }, "endpoint handler failed");
      if (!declaresError(def, coded.code)) {
        // A code outside the endpoint's closed set is a bug of this service: callers cannot know it.
        this.undeclared.push({ subject: def.subject, code: coded.code });
        this.opts.log.error(
          { subject: def.subject, code: coded.code },
          "endpoint answered an undeclared error code",
        );
      }
      msg.respondError(coded.status, coded.code, encodeError(coded.toBody()));
    }
  }

  /** Calls an endpoint; a remote error is rethrown as the same CodedError. */
  async request<Req extends z.ZodType, Rep extends z.ZodType>(
    def: EndpointDef<Req, Rep>,
    payload: z.input<Req>,
    timeoutMs = 5_000,
  ): Promise<z.infer<Rep>> {
    const body = encodePayload(def.encoding, def.request.parse(payload));
    assertFits(body, this.maxPayload, def.subject);
    let msg: Msg;
    try {
      msg = await this.nc.request(def.subject, body, { timeout: timeoutMs });
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
      throw new CodedError<string>(
        e.code,
        e.message,
        e.details,
        Number(msg.headers.get("Nats-Service-Error-Code")),
      );
    }
    return parsePayload(def.reply, def.encoding, msg.data, def.subject);
  }

  publish<P extends z.ZodType>(def: EventDef<P>, payload: z.input<P>): void {
    const body = encodePayload(def.encoding, def.payload.parse(payload));
    assertFits(body, this.maxPayload, def.subject);
    this.nc.publish(def.subject, body);
  }

  /** Subscribes to an event; malformed payloads are counted in the log and skipped. */
  subscribe<P extends z.ZodType>(
    def: EventDef<P>,
    handler: (payload: z.infer<P>) => void | Promise<void>,
  ): void {
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

function toCoded(err: unknown): CodedError<string> {
  if (err instanceof CodedError) return err as CodedError<string>;
  return new CodedError("INTERNAL", "internal error", undefined, 500);
}
