import {
  BUS_MAX_PAYLOAD_BYTES,
  decodeCanonical,
  encodeCanonical,
  equalBytes,
  MAX_BLOCK_BYTES,
} from "@p2pnode/codec";
import { Bytes, CodedError, endpoint, event } from "@p2pnode/types";
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
  errors: [],
  description: "adds",
});
const fail = endpoint({
  service: "calc",
  subject: "calc.v1.fail.get",
  request: z.object({}),
  reply: z.object({}),
  errors: ["UNKNOWN_BLOCK"],
  description: "always fails",
});
const ticked = event({
  subject: "calc.v1.tick.published",
  payload: z.object({ n: z.number().int() }),
  description: "tick",
});

/** Echoes bytes back, as the chain answers getdata: raw bytes inside a CBOR map, no JSON. */
const echo = endpoint({
  service: "calc",
  subject: "calc.v1.echo.get",
  encoding: "cbor",
  request: z.object({ data: Bytes, repeat: z.number().int().min(1) }),
  reply: z.object({ data: z.array(Bytes) }),
  errors: [],
  description: "echoes bytes",
});
const blob = event({
  subject: "calc.v1.blob.published",
  encoding: "cbor",
  payload: z.object({ data: Bytes }),
  description: "bytes event",
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
  await server.serve(echo, ({ data, repeat }) => ({ data: Array.from({ length: repeat }, () => data) }));
  await server.serve(fail, () => {
    throw new CodedError<string>("UNKNOWN_BLOCK", "no such block", { height: 7 }, 404);
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

  it("rethrows a remote CodedError with its code, details and status", async () => {
    const err = await client.request(fail, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CodedError);
    expect(err).toMatchObject({ code: "UNKNOWN_BLOCK", details: { height: 7 }, status: 404 });
  });

  it("flags a handler that answers with a code its declaration does not list", async () => {
    const sloppy = endpoint({
      service: "calc",
      subject: "calc.v1.sloppy.get",
      request: z.object({}),
      reply: z.object({}),
      errors: ["NOT_FOUND"],
      description: "throws an undeclared code",
    });
    await server.serve(sloppy, () => {
      throw new CodedError<string>("SURPRISE", "not in the set");
    });
    const before = server.undeclared.length;
    await expect(client.request(sloppy, {})).rejects.toMatchObject({ code: "SURPRISE" });
    expect(server.undeclared.slice(before)).toEqual([{ subject: "calc.v1.sloppy.get", code: "SURPRISE" }]);
    // Declared codes and the bus's own are not flagged.
    await client.request(fail, {}).catch(() => undefined);
    await client.request(add, { a: "x" } as never).catch(() => undefined);
    expect(server.undeclared.length).toBe(before + 1);
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
      errors: [],
      description: "",
    });
    await expect(client.request(orphan, {})).rejects.toMatchObject({ code: "UPSTREAM_UNAVAILABLE" });
  });

  it("carries bytes as canonical CBOR, up to the node's max_payload, and refuses more before sending", async () => {
    expect(client.maxPayload).toBe(BUS_MAX_PAYLOAD_BYTES); // the test server runs the supervisor's config
    const block = new Uint8Array(MAX_BLOCK_BYTES).map((_, i) => i & 0xff);
    const raw = await connect({ servers: nats.url, token: nats.token });
    const msg = await raw.request(echo.subject, encodeCanonical({ data: block, repeat: 1 }), {
      timeout: 10_000,
    });
    const echoed = decodeCanonical(msg.data, "reply", BUS_MAX_PAYLOAD_BYTES) as { data: Uint8Array[] };
    expect(echoed.data.map((d) => equalBytes(d, block))).toEqual([true]); // toEqual on 2 MiB is slow
    await raw.close();
    // Three of the largest blocks fit one answer (a sync answer); four do not, and the server says so.
    expect((await client.request(echo, { data: block, repeat: 3 }, 10_000)).data).toHaveLength(3);
    await expect(client.request(echo, { data: block, repeat: 4 }, 10_000)).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
      status: 413,
    });
    const huge = new Uint8Array(BUS_MAX_PAYLOAD_BYTES);
    await expect(client.request(echo, { data: huge, repeat: 1 })).rejects.toMatchObject({
      code: "PAYLOAD_TOO_LARGE",
    });
    expect(() => client.publish(blob, { data: huge })).toThrow(CodedError);
    const got: Uint8Array[] = [];
    server.subscribe(blob, ({ data }) => void got.push(data));
    await server.nc.flush();
    client.publish(blob, { data: block });
    await eventually(
      () => got.length,
      (n) => n === 1,
    );
    expect(equalBytes(got[0]!, block)).toBe(true);
  });

  it("lists every endpoint in $SRV.INFO, as the NATS services API promises", async () => {
    const raw = await connect({ servers: nats.url, token: nats.token });
    const msg = await raw.request("$SRV.INFO.calc", undefined, { timeout: 2000 });
    const info = JSON.parse(StringCodec().decode(msg.data)) as { endpoints: { subject: string }[] };
    expect(info.endpoints.map((e) => e.subject).sort()).toEqual([
      "calc.v1.echo.get",
      "calc.v1.fail.get",
      "calc.v1.sloppy.get",
      "calc.v1.sum.get",
    ]);
    await raw.close();
  });

  it("delivers events and drops malformed ones without stopping the subscription", async () => {
    const got: number[] = [];
    server.subscribe(ticked, ({ n }) => {
      got.push(n);
    });
    await server.nc.flush();
    client.nc.publish(ticked.subject, new TextEncoder().encode('{"n":"not a number"}'));
    client.publish(ticked, { n: 1 });
    client.publish(ticked, { n: 2 });
    await eventually(
      () => got,
      (g) => g.length >= 2,
    );
    expect(got).toEqual([1, 2]);
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
