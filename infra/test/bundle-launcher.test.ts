import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoPath } from "./lib/repo.js";

/*
 * What `pnpm build` makes of each bundle (scripts/bundle.mjs): the ES module bundle as a script
 * (scripts/bundle-script.mjs) and a copy of scripts/bundle-launcher.mjs, which runs it through V8's
 * code cache. A small bundle of the same shape stands in for a service's.
 */
const dir = mkdtempSync(join(tmpdir(), "p2pnode-bundle-launcher-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { asScript, BANNER } = (await import(repoPath("scripts", "bundle-script.mjs"))) as {
  asScript(esm: string): string;
  BANNER: string;
};

/** What esbuild makes of an entry: banner, Node built-ins imported by name, top-level await. */
const ESM = [
  "#!/usr/bin/env node",
  BANNER,
  "var __require = (x) => require(x);",
  'import { basename } from "node:path";',
  'import { setTimeout as sleep } from "node:timers/promises";',
  "var self = new URL(import.meta.url);",
  'await sleep(1, "slept");',
  'if (process.argv[2] === "throw") throw new Error("thrown at line 8");',
  'const { EOL } = __require("node:os");',
  'process.stdout.write([basename(self.pathname), typeof EOL, process.argv.slice(2).join(",")].join(" ") + "\\n");',
].join("\n");

writeFileSync(join(dir, "package.json"), '{ "type": "module" }');
writeFileSync(join(dir, "bundle.code.cjs"), asScript(ESM));
copyFileSync(repoPath("scripts", "bundle-launcher.mjs"), join(dir, "bundle.js"));

const run = (args: string[] = [], flags: string[] = []) =>
  spawnSync(process.execPath, [...flags, join(dir, "bundle.js"), ...args], { encoding: "utf8" });
const caches = () => readdirSync(dir).filter((f) => f.endsWith(".cache"));
const inode = (f: string) => statSync(join(dir, f)).ino;

describe("a bundle run by its launcher", () => {
  it("runs the code as the module did: its own URL, require, built-ins, top-level await, arguments", () => {
    const r = run(["a", "b"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("bundle.js string a,b\n");
    expect(r.status).toBe(0);
  });

  it("writes a V8 code cache on its first run and reads it, unchanged, on the next", () => {
    const [cache, ...more] = caches();
    expect(cache).toMatch(/^bundle\.code\.[0-9a-f]{8}\.cache$/);
    expect(more).toEqual([]);
    const before = inode(cache!);
    expect(run(["again"]).stdout).toBe("bundle.js string again\n");
    // A cache V8 refused would have been written again (a new file renamed over it).
    expect(inode(cache!)).toBe(before);
  });

  it("keeps one cache per set of Node flags, which V8 would refuse across them", () => {
    expect(run([], ["--max-semi-space-size=1"]).status).toBe(0);
    expect(caches()).toHaveLength(2);
  });

  it("runs from source when its cache is damaged, and replaces the cache", () => {
    const damaged = "not a V8 code cache";
    for (const f of caches()) writeFileSync(join(dir, f), damaged);
    expect(run(["x"]).stdout).toBe("bundle.js string x\n");
    // The flagless run's cache is written again; the other flags' one waits for a run of its own.
    const sizes = caches().map((f) => statSync(join(dir, f)).size);
    expect(sizes.sort((a, b) => a - b)[0]).toBe(damaged.length);
    expect(sizes[1]).toBeGreaterThan(1_000);
  });

  it("fails as the module did: the error with its line in the code file, exit code 1", () => {
    const r = run(["throw"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("thrown at line 8");
    expect(r.stderr).toContain(`${join(dir, "bundle.code.cjs")}:8`);
  });

  it("refuses at build time an import it cannot make a require of", () => {
    expect(() => asScript(`${BANNER}\nimport fs from "node:fs";`)).toThrow(
      /cannot make a script of this line 2/,
    );
    expect(() => asScript('import x from "y";')).toThrow(/does not start with the banner/);
  });
});
