import { ErrorBody } from "@p2pnode/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type App, bodyFastPath, createApp } from "../src/http/index.js";
import { createLogger } from "../src/log/index.js";

/** A one-pass reader that takes only the common body: a name and a whole count, nothing else. */
const counted = bodyFastPath((body) => {
  const { name, count } = body as { name?: unknown; count?: unknown };
  return typeof name === "string" && name.length > 0 && Number.isInteger(count) && (count as number) > 0
    ? { name, count: count as number, readBy: "reader" as const }
    : undefined;
});

let app: App;

beforeAll(async () => {
  ({ app } = await createApp({ service: "test", version: "1.0.0", log: createLogger("test", "silent") }));
  app.post(
    "/things/:kind",
    {
      validatorCompiler: counted.validatorCompiler,
      schema: {
        params: z.object({ kind: z.enum(["a", "b"]) }),
        // The schema also takes a count given as a string, which the reader leaves to it.
        body: z.object({
          name: z.string().min(1),
          count: z.union([z.number().int().positive(), z.string()]),
        }),
      },
    },
    async (req) => ({ kind: req.params.kind, body: req.body, taken: counted.taken(req.body) ?? null }),
  );
  await app.ready();
});
afterAll(() => app.close());

describe("bodyFastPath (a route body read in one pass, the schema for the rest)", () => {
  it("hands the handler what the reader made of a body it takes", async () => {
    const res = await app.inject({ method: "POST", url: "/things/a", payload: { name: "x", count: 3 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      kind: "a",
      body: { name: "x", count: 3 },
      taken: { name: "x", count: 3, readBy: "reader" },
    });
  });

  it("leaves a body the reader does not take to the schema, which may accept it", async () => {
    const res = await app.inject({ method: "POST", url: "/things/b", payload: { name: "x", count: "3" } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ kind: "b", body: { name: "x", count: "3" }, taken: null });
  });

  it("answers a body the schema refuses with the schema's 400, as without the reader", async () => {
    const res = await app.inject({ method: "POST", url: "/things/a", payload: { name: "", count: 3 } });
    expect(res.statusCode).toBe(400);
    const body = ErrorBody.parse(res.json());
    expect(body.error.code).toBe("VALIDATION_FAILED");
    expect(JSON.stringify(body.error.details)).toContain("name");
  });

  it("still validates the route's other parts by their schemas", async () => {
    const res = await app.inject({ method: "POST", url: "/things/c", payload: { name: "x", count: 3 } });
    expect(res.statusCode).toBe(400);
    expect(ErrorBody.parse(res.json()).error.code).toBe("VALIDATION_FAILED");
  });
});
