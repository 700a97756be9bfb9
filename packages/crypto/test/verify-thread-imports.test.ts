import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/*
 * Chain and gateway start their verify threads before they are ready, on every node start, and
 * each thread evaluates its own module graph. That graph must stay small: when crypto's errors
 * imported CodedError from all of @p2pnode/types, every thread built zod and every schema first
 * (~180 of its ~300 ms of CPU). The built entry is loaded with a resolve hook that lists each
 * module, as the thread loads it.
 */

const ENTRY = new URL("../dist/verify-pool/verify-worker.js", import.meta.url);
const LIST_HOOK = `export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write("loaded " + r.url + "\\n"); return r; }`;
const REGISTER = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(LIST_HOOK)}`)});`;

function modulesLoadedBy(entry: URL): string[] {
  const r = spawnSync(
    process.execPath,
    [
      "--import",
      `data:text/javascript,${encodeURIComponent(REGISTER)}`,
      "--input-type=module",
      "-e",
      `await import(${JSON.stringify(entry.href)})`,
    ],
    { encoding: "utf8", env: { PATH: process.env.PATH } },
  );
  expect(r.status, r.stderr).toBe(0);
  return r.stderr
    .split("\n")
    .filter((l) => l.startsWith("loaded "))
    .map((l) => l.slice("loaded ".length));
}

describe("a verify thread's imports", () => {
  it("are crypto's verify path and noble, not zod or the schemas of @p2pnode/types", () => {
    if (!existsSync(fileURLToPath(ENTRY))) throw new TypeError(`build first: ${ENTRY.pathname} is missing`);
    const loaded = modulesLoadedBy(ENTRY);
    expect(loaded).toContain(new URL("../dist/ed25519.js", import.meta.url).href);
    expect(loaded.filter((u) => /\/zod\//.test(u))).toEqual([]);
    expect(loaded.filter((u) => /types\/dist\/(?!coded-error\.js)/.test(u))).toEqual([]);
  });
});
