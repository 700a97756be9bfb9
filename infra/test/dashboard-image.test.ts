import { describe, expect, it } from "vitest";
import { readDockerfile } from "./lib/dockerfile.js";
import { readRepoFile } from "./lib/repo.js";

// The image must keep the dashboard's built page (packages/dashboard/dist/page), which every
// gateway serves at GET /dashboard: no step of the Dockerfile or .dockerignore may drop it.

/** What scripts/bundle.mjs writes, relative to the package (the page's every byte). */
const PAGE_FILES = [
  "dist/page/index.html",
  "dist/page/assets/dashboard.js",
  "dist/page/assets/dashboard.css",
];
const PAGE_SOURCES = ["src/page/index.html", "src/page/style.css", "src/page/main.ts", "scripts/bundle.mjs"];

/** `find … -name X` patterns in a RUN line, as globs. */
function findNames(run: string): RegExp[] {
  return [...run.matchAll(/-name\s+'?([^'\s)]+)'?/g)].map(
    (m) => new RegExp(`^${m[1]!.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`),
  );
}

describe("the image keeps the dashboard", () => {
  const df = readDockerfile();
  const runs = df.instructions.filter((i) => i.op === "RUN").map((i) => i.args);

  it("builds the page: the build stage runs pnpm build over the whole workspace", () => {
    expect(runs.some((r) => /pnpm build(\s|$)/.test(r) && !/--filter/.test(r))).toBe(true);
    const pkg = JSON.parse(readRepoFile("packages", "dashboard", "package.json")) as {
      scripts: { build: string };
    };
    expect(pkg.scripts.build).toMatch(/scripts\/bundle\.mjs/);
  });

  it("sends the page's sources into the build context", () => {
    const ignored = readRepoFile(".dockerignore")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    for (const f of PAGE_SOURCES) {
      const segments = ["packages", "dashboard", ...f.split("/")];
      for (const pattern of ignored) {
        const name = pattern.replace(/^\*\*\//, "");
        const hit = pattern.startsWith("**/")
          ? segments.includes(name)
          : `${segments.join("/")}`.startsWith(pattern);
        expect(hit, `.dockerignore ${pattern} drops packages/dashboard/${f}`).toBe(false);
      }
    }
  });

  it("prunes nothing of the built page", () => {
    // The prune stage runs scripts/prod-tree.sh: its find patterns and removals are the prune.
    expect(runs.some((r) => r.includes("scripts/prod-tree.sh"))).toBe(true);
    const prune: string | undefined = readRepoFile("scripts", "prod-tree.sh");
    expect(prune).toMatch(/--prod/);
    const names = findNames(prune!);
    expect(names.length).toBeGreaterThan(0);
    for (const f of PAGE_FILES) {
      for (const segment of ["packages", "dashboard", ...f.split("/")]) {
        for (const n of names)
          expect(n.test(segment), `prune pattern ${n} removes ${segment} of ${f}`).toBe(false);
      }
    }
    expect(prune).not.toMatch(/rm -rf[^\n]*packages\/dashboard/);
  });

  it("the gateway depends on the dashboard package, so the production install links it", () => {
    const gw = JSON.parse(readRepoFile("services", "gateway", "package.json")) as {
      dependencies: Record<string, string>;
    };
    expect(gw.dependencies["@p2pnode/dashboard"]).toBe("workspace:*");
    // The page is bundled at build time: nothing of it is a runtime dependency.
    const pkg = JSON.parse(readRepoFile("packages", "dashboard", "package.json")) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies).filter((d) => !d.startsWith("@p2pnode/"))).toEqual([]);
  });
});
