import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MSG_NAMES, type MsgType, REQUEST_TYPES } from "../src/dht/index.js";
import { HEADER_LAYOUT, P2P_MESSAGE_CODES, type P2pMessageType } from "../src/index.js";
import { kindCode } from "../src/p2p/fields.js";
import { SPECS } from "../src/p2p/specs.js";

/*
 * PROTOCOL.md's tables against the code: type bytes, body keys and byte limits of every P2P
 * message, inventory kind bytes, the header layout and the DHT message types. A change to the
 * wire format fails here until the document says the same.
 */

const doc = readFileSync(join(import.meta.dirname, "..", "PROTOCOL.md"), "utf8").split("\n");
const rows = (pattern: RegExp) =>
  doc.map((l) => pattern.exec(l)).filter((m): m is RegExpExecArray => m !== null);
const number = (s: string) => Number(s.replaceAll(",", ""));

describe("PROTOCOL.md", () => {
  it("lists every P2P message with its type byte, body keys and limit", () => {
    const table = rows(/^\| 0x([0-9a-f]{2}) \| `(\w+)` +\| (.*) \| ([\d,]+) +\|$/);
    expect(table.map((m) => m[2]).sort()).toEqual(Object.keys(P2P_MESSAGE_CODES).sort());
    for (const [, code, type, keys, limit] of table) {
      const t = type as P2pMessageType;
      expect(Number.parseInt(code!, 16), `${t} code`).toBe(P2P_MESSAGE_CODES[t]);
      const topLevel = keys!.replace(/\{[^}]*\}/g, "");
      const named = [...topLevel.matchAll(/`(\w+)`:/g)].map((k) => k[1]);
      expect(named.sort(), `${t} keys`).toEqual([...SPECS[t].keys].sort());
      expect(number(limit!), `${t} limit`).toBe(SPECS[t].maxBytes);
    }
  });

  it("gives every inventory kind its byte", () => {
    const table = rows(/^\| (\d) +\| `(tx|block)` +\|/);
    expect(table).toHaveLength(2);
    for (const [, byte, kind] of table) expect(kindCode(kind as "tx" | "block")).toBe(Number(byte));
  });

  it("lays the block header out as the codec does", () => {
    const table = rows(/^\| +(\d+) \| +(\d+) \| `(\w+)` +\|/);
    expect(table.map((m) => m[3])).toEqual(Object.keys(HEADER_LAYOUT));
    for (const [, offset, size, field] of table) {
      expect(HEADER_LAYOUT[field as keyof typeof HEADER_LAYOUT]).toEqual({
        offset: Number(offset),
        size: Number(size),
      });
    }
  });

  it("lists every DHT message type, and which are requests", () => {
    const table = rows(/^\| (\d) +\| `(\w+)` +\| (request|answers [\d and]+?) +\|/);
    expect(table).toHaveLength(Object.keys(MSG_NAMES).length);
    for (const [, type, name, role] of table) {
      expect(MSG_NAMES[Number(type) as MsgType]).toBe(name);
      expect(REQUEST_TYPES.has(Number(type) as MsgType), name).toBe(role === "request");
    }
  });
});
