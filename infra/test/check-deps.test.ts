import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoPath } from "./lib/repo.js";

/*
 * scripts/check-deps.mjs (run by `pnpm check` over the whole built repo) on a small workspace: a
 * run-time import of a package missing from `dependencies` fails it, as it would crash the image.
 */
const root = mkdtempSync(join(tmpdir(), "p2pnode-check-deps-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function fixture(dependencies: Record<string, string>, devDependencies: Record<string, string> = {}) {
  const pkg = join(root, "packages", "a");
  mkdirSync(join(pkg, "dist", "sub"), { recursive: true });
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "@x/a", dependencies, devDependencies }));
  writeFileSync(
    join(pkg, "dist", "index.js"),
    [
      'import { readFileSync } from "node:fs";',
      'import path from "path";',
      'import { declared } from "declared/sub/path";',
      'import { b } from "./sub/b.js";',
      '// import { x } from "in-a-comment";',
      'const src = `import("tsx/esm/api")`;',
      "export { readFileSync, path, declared, b, src };",
    ].join("\n"),
  );
  writeFileSync(
    join(pkg, "dist", "sub", "b.js"),
    'export const b = 1;\nexport * from "@scope/only-dev";\nconst lazy = () => import("lazy-one");\n',
  );
  return spawnSync(process.execPath, [repoPath("scripts", "check-deps.mjs"), root], { encoding: "utf8" });
}

describe("scripts/check-deps.mjs", () => {
  it("fails on run-time imports missing from dependencies (a devDependency is not enough)", () => {
    const r = fixture({ declared: "1" }, { "@scope/only-dev": "1" });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /packages\/a\/dist\/sub\/b\.js imports @scope\/only-dev, but .* does not list @scope\/only-dev/,
    );
    expect(lines[1]).toMatch(/packages\/a\/dist\/sub\/b\.js imports lazy-one, but/);
  });

  it("passes once they are dependencies; builtins, relative paths, comments and eval'd sources are not imports", () => {
    const r = fixture({ declared: "1", "@scope/only-dev": "1", "lazy-one": "1" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/2 shipped files, every run-time import declared/);
  });
});
