import { describe, expect, it } from "vitest";
import { DOMAIN_CODE_SETS } from "../src/catalog.js";
import { CodedError, ErrorCode, HTTP_STATUS_OF, type RelayedCode } from "../src/errors.js";

/*
 * The set is closed at compile time: `pnpm typecheck` compiles this file, and each
 * `@ts-expect-error` below fails it if the line it marks ever compiles (an unused directive).
 */
class DemoError extends CodedError<"DEMO_ONE" | "DEMO_TWO"> {}

describe("closed error-code sets", () => {
  it("takes only the shared codes in a bare CodedError", () => {
    expect(new CodedError("NOT_FOUND", "x").code).toBe("NOT_FOUND");
    // @ts-expect-error an undeclared code is not in the shared set
    const undeclared = new CodedError("NOT_A_CODE", "x");
    // The type stops it; at run time it is still an error with its code (400 unless shared).
    expect(undeclared.status).toBe(400);
  });

  it("takes only its own set's codes in a subclass", () => {
    expect(new DemoError("DEMO_ONE", "x").code).toBe("DEMO_ONE");
    // @ts-expect-error a code outside the subclass's set
    expect(new DemoError("DEMO_THREE", "x").code).toBe("DEMO_THREE");
    // @ts-expect-error a shared code is not in a subclass's set unless it says so
    expect(new DemoError("NOT_FOUND", "x").status).toBe(404);
  });

  it("passes a relayed code on only when the site says so", () => {
    const fromWire: string = "UNKNOWN_BLOCK";
    // @ts-expect-error a string from the wire is not a shared code
    expect(new CodedError(fromWire, "x").code).toBe("UNKNOWN_BLOCK");
    expect(new CodedError<RelayedCode>(fromWire, "x", undefined, 404).toBody()).toEqual({
      error: { code: "UNKNOWN_BLOCK", message: "x", details: undefined },
    });
  });

  it("gives every shared code one HTTP status", () => {
    expect(new Set(ErrorCode.options).size).toBe(ErrorCode.options.length);
    expect(Object.keys(HTTP_STATUS_OF).sort()).toEqual([...ErrorCode.options].sort());
  });

  it("keeps the domain sets of this package free of duplicates and of shared codes", () => {
    const shared = new Set<string>(ErrorCode.options);
    for (const [name, codes] of Object.entries(DOMAIN_CODE_SETS)) {
      expect(new Set(codes).size, name).toBe(codes.length);
      for (const c of codes) {
        expect(c, name).toMatch(/^[A-Z][A-Z0-9_]*$/);
        expect(shared.has(c), `${name}: ${c} shadows a shared code`).toBe(false);
      }
    }
  });
});
