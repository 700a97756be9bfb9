import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BlockHeaderJson, BlockJson, SignedTransactionJson, TransactionJson } from "@p2pnode/types";
import { describe, expect, it } from "vitest";
import {
  blockFromJson,
  blockToJson,
  CodecError,
  decodeBlock,
  decodeHeader,
  decodeSignedTransaction,
  decodeTransaction,
  encodeBlock,
  encodeHeader,
  encodeSignedTransaction,
  encodeTransaction,
  fromHex,
  headerFromJson,
  headerToJson,
  signedTransactionFromJson,
  signedTransactionToJson,
  toHex,
  transactionFromJson,
  transactionToJson,
} from "../src/index.js";

interface VectorFile {
  valid: { name: string; json: never; hex: string }[];
  invalid: { name: string; hex: string; error: string }[];
}

const load = (name: string): VectorFile =>
  JSON.parse(readFileSync(join(import.meta.dirname, "vectors", `${name}.json`), "utf8"));

/** Each format: its decoder, encoder and JSON converters, checked against the committed bytes. */
const formats = [
  {
    file: "header",
    decode: decodeHeader,
    encode: encodeHeader,
    toJson: headerToJson,
    fromJson: headerFromJson,
  },
  {
    file: "transaction",
    decode: decodeTransaction,
    encode: encodeTransaction,
    toJson: transactionToJson,
    fromJson: transactionFromJson,
  },
  {
    file: "signed-transaction",
    decode: decodeSignedTransaction,
    encode: encodeSignedTransaction,
    toJson: signedTransactionToJson,
    fromJson: signedTransactionFromJson,
  },
  { file: "block", decode: decodeBlock, encode: encodeBlock, toJson: blockToJson, fromJson: blockFromJson },
] as const;

for (const f of formats) {
  const vectors = load(f.file);
  // biome-ignore lint/suspicious/noExplicitAny: each row pairs functions of one format; the table erases their types
  const fmt = f as any;

  describe(`${f.file} vectors`, () => {
    it.each(vectors.valid)("re-encodes $name to the committed bytes", ({ json, hex }) => {
      expect(toHex(fmt.encode(fmt.fromJson(json)))).toBe(hex);
    });

    it.each(vectors.valid)("decodes $name to the committed value", ({ json, hex }) => {
      expect(fmt.toJson(fmt.decode(fromHex(hex, "vector")))).toEqual(json);
    });

    it.each(vectors.invalid)("refuses $name with $error", ({ hex, error }) => {
      const bytes = fromHex(hex, "vector");
      expect(() => fmt.decode(bytes)).toThrow(CodecError);
      try {
        fmt.decode(bytes);
      } catch (err) {
        expect((err as CodecError).code).toBe(error);
      }
    });
  });
}

describe("JSON shapes", () => {
  it("every valid vector's JSON passes the @p2pnode/types schema", () => {
    const schemas = {
      header: BlockHeaderJson,
      transaction: TransactionJson,
      "signed-transaction": SignedTransactionJson,
      block: BlockJson,
    } as const;
    for (const [file, schema] of Object.entries(schemas)) {
      for (const v of load(file).valid)
        expect(schema.safeParse(v.json).success, `${file}: ${v.name}`).toBe(true);
    }
  });
});
