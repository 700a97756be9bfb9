import { encodeCanonical } from "@p2pnode/codec";
import { bytesOf, CodedError, endpoint, event } from "@p2pnode/types";
import { connect, StringCodec } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { Bus } from "../src/bus/index.js";
import { createLogger } from "../src/log/index.js";
import { eventually, startTestNats, type TestNats } from "../src/testing/index.js";

const add = endpoint({
  service: "calc",
  subject: "calc.v1.sum.get",
  request: z.object({ a: z.number(), b: z.number() }),
  reply: z.object({ sum: z.number() }),
  description: "adds",
});
const fail = endpoint({
  service: "calc",
  subject: "calc.v1.fail.get",
  request: z.object({}),
  reply: z.object({}),
  description: "always fails",
});
const echoHeader = endpoint({
  service: "calc",
  subject: "calc.v1.header.get",
  request: z.object({ name: z.string() }),
  reply: z.object({ value: z.string().nullable() }),
  description: "a request header's value",
});
const ticked = event({
  subject: "calc.v1.tick.published",
  payload: z.object({ n: z.number().int() }),
  description: "tick",
});

const carried = event({
  subject: "calc.v1.blob.published",
  encoding: "cbor",
  payload: z.object({ id: z.string(), blob: bytesOf(16, "blob"), extra: bytesOf(16, "extra").optional() }),
  description: "bytes in a CBOR event",
});

let nats: TestNats;
let server: Bus;
let client: Bus;
const log = createLogger("test", "silent");

beforeAll(async () => {
  nats = await startTestNats();
  server = await Bus.connect({ url: nats.url, token: nats.token, name: "server", version: "1.0.0", log });
  client = await Bus.connect({ url: nats.url, token: nats.token, name: "client", version: "1.0.0", log });
  await server.serve(add, ({ a, b }) => ({ sum: a + b }));
  await server.serve(echoHeader, ({ name }, meta) => ({ value: meta.header(name) ?? null }));
  await server.serve(fail, () => {
    throw new CodedError<"UNKNOWN_BLOCK">("UNKNOWN_BLOCK", "no such block", { height: 7 }, 404);
  });
});
afterAll(async () => {
  await client.close();
  await server.close();
  await nats.stop();
});

describe("typed NATS bus", () => {
  it("round-trips a request through the services API", async () => {
    expect(await client.request(add, { a: 2, b: 3 })).toEqual({ sum: 5 });
  });

  it("carries request headers to the handler: a value, its name in any case, an empty one, none", async () => {
    const headers = { "Idempotency-Key": "k-1", Empty: "" };
    expect(await client.request(echoHeader, { name: "Idempotency-Key" }, 5_000, { headers })).toEqual({
      value: "k-1",
    });
    expect(await client.request(echoHeader, { name: "Empty" }, 5_000, { headers })).toEqual({ value: "" });
    // Names in any case, as in HTTP.
    expect(await client.request(echoHeader, { name: "idempotency-key" }, 5_000, { headers })).toEqual({
      value: "k-1",
    });
    expect(await client.request(echoHeader, { name: "Idempotency-Key" })).toEqual({ value: null });
  });

  it("rethrows a remote CodedError with its code, details and status", async () => {
    const err = await client.request(fail, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodedError);
    expect(err).toMatchObject({ code: "UNKNOWN_BLOCK", details: { height: 7 }, status: 404 });
  });

  it("answers a malformed or schema-failing payload with a typed error and keeps serving", async () => {
    const raw = await connect({ servers: nats.url, token: nats.token });
    const sc = StringCodec();
    for (const bad of ["{not json", JSON.stringify({ a: "x", b: 1 })]) {
      const msg = await raw.request(add.subject, sc.encode(bad), { timeout: 2000 });
      expect(msg.headers?.get("Nats-Service-Error-Code")).toBe("400");
      expect(JSON.parse(sc.decode(msg.data)).error.code).toMatch(/^(BAD_REQUEST|VALIDATION_FAILED)$/);
    }
    await raw.close();
    expect(await client.request(add, { a: 1, b: 1 })).toEqual({ sum: 2 });
  });

  it("reports UPSTREAM_UNAVAILABLE when nobody serves a subject", async () => {
    const orphan = endpoint({
      service: "x",
      subject: "x.v1.none.get",
      request: z.object({}),
      reply: z.object({}),
      description: "",
    });
    await expect(client.request(orphan, {})).rejects.toMatchObject({ code: "UPSTREAM_UNAVAILABLE" });
  });

  it("lists every endpoint in $SRV.INFO, as the NATS services API promises", async () => {
    const raw = await connect({ servers: nats.url, token: nats.token });
    const msg = await raw.request("$SRV.INFO.calc", undefined, { timeout: 2000 });
    const info = JSON.parse(StringCodec().decode(msg.data)) as { endpoints: { subject: string }[] };
    expect(info.endpoints.map((e) => e.subject).sort()).toEqual([
      "calc.v1.fail.get",
      "calc.v1.header.get",
      "calc.v1.sum.get",
    ]);
    await raw.close();
  });

  it("drops an event published after close() with a warning instead of throwing", async () => {
    const lines: string[] = [];
    const closing = await Bus.connect({
      url: nats.url,
      token: nats.token,
      name: "closing",
      version: "1.0.0",
      log: createLogger("test", "warn", { write: (s) => void lines.push(s) }),
    });
    await closing.close();
    expect(() => closing.publish(ticked, { n: 1 })).not.toThrow();
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        level: "warn",
        subject: ticked.subject,
        msg: "event dropped: the bus is closing",
      }),
    ]);
  });

  it("delivers events and drops malformed ones without stopping the subscription", async () => {
    const got: number[] = [];
    await server.subscribe(ticked, ({ n }) => {
      got.push(n);
    });
    client.nc.publish(ticked.subject, new TextEncoder().encode('{"n":"not a number"}'));
    client.publish(ticked, { n: 1 });
    client.publish(ticked, { n: 2 });
    await eventually(
      () => got,
      (g) => g.length >= 2,
    );
    expect(got).toEqual([1, 2]);
  });

  it("carries raw bytes in a CBOR event (no JSON, no hex) and drops payloads that fail their schema", async () => {
    const got: { id: string; blob: Uint8Array; extra?: Uint8Array }[] = [];
    const raw: Uint8Array[] = [];
    await server.subscribe(carried, (p) => {
      got.push(p);
    });
    const tap = client.nc.subscribe(carried.subject, { callback: (_e, m) => raw.push(m.data) });
    const blob = Uint8Array.from([0, 1, 2, 0xff]);
    // Not CBOR; CBOR over the schema's byte bound; a string where bytes belong: all dropped.
    client.nc.publish(carried.subject, new TextEncoder().encode('{"id":"x","blob":"00"}'));
    client.nc.publish(carried.subject, encodeCanonical({ id: "big", blob: new Uint8Array(17) }));
    client.nc.publish(carried.subject, encodeCanonical({ id: "str", blob: "00ff" }));
    client.publish(carried, { id: "ok", blob, extra: undefined });
    client.publish(carried, { id: "buffer", blob: Buffer.from(blob) });
    await eventually(
      () => got,
      (g) => g.length >= 2,
    );
    expect(got.map((g) => g.id)).toEqual(["ok", "buffer"]);
    for (const g of got) {
      expect(g.blob).toEqual(blob);
      expect("extra" in g).toBe(false);
    }
    // On the wire: canonical CBOR, the bytes as a byte string of their own length.
    await eventually(
      () => raw.length,
      (n) => n === 5,
    );
    expect(Uint8Array.from(raw[3]!)).toEqual(encodeCanonical({ id: "ok", blob }));
    tap.unsubscribe();
  });

  it("refuses a client without the node's token", async () => {
    const err = await connect({ servers: nats.url, reconnect: false }).catch((e: unknown) => e);
    expect(String((err as Error).message ?? err)).toMatch(/Authorization/i);
    const wrong = await connect({ servers: nats.url, token: "wrong-token-value", reconnect: false }).catch(
      (e: unknown) => e,
    );
    expect(String((wrong as Error).message ?? wrong)).toMatch(/Authorization/i);
  });
});
