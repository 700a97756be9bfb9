import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { CLOSE_CODES } from "../src/errors.js";

/** PROTOCOL.md (packages/codec) states the gateway's close codes: a change fails here until it says the same. */
const doc = readFileSync(createRequire(import.meta.url).resolve("@p2pnode/codec/PROTOCOL.md"), "utf8");

describe("PROTOCOL.md close codes", () => {
  it("lists every close code with its reason, as the gateway closes with them", () => {
    const pairs = [...doc.matchAll(/\| (4\d{3}) \| `([A-Z_]+)` +(?=\|)/g)].map((m) => [m[2]!, Number(m[1])]);
    expect(Object.fromEntries(pairs)).toEqual(CLOSE_CODES);
    expect(pairs).toHaveLength(Object.keys(CLOSE_CODES).length);
  });
});
