import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, readRepoFile } from "./lib/repo.js";

/*
 * ARCHITECTURE.md's table says, per part, what it "may import". This holds it to the code: every
 * workspace package a part declares in package.json, and every one its sources (src, test, bench)
 * import, must be in that column; and every one its sources import must be declared.
 */

const SCOPE = "@p2pnode/";
const ours = new Set(
  readdirSync(join(ROOT, "packages")).filter((n) => existsSync(join(ROOT, "packages", n, "package.json"))),
);

interface Rule {
  part: string;
  /** Workspace package → the subfolder of src it is limited to ("" = anywhere). */
  allowed: Map<string, string>;
}

/** The table rows of ARCHITECTURE.md: `| \`packages/kit\` | owns | does not own | may import |`. */
export function readRules(markdown: string): Rule[] {
  const rules: Rule[] = [];
  for (const line of markdown.split("\n")) {
    const m = /^\|\s*`((?:packages|services)\/[\w-]+|infra)`\s*\|.*\|\s*([^|]*?)\s*\|\s*$/.exec(line);
    if (!m) continue;
    const allowed = new Map<string, string>();
    for (const piece of m[2]!.split(",").map((p) => p.trim())) {
      if (piece === "packages only") for (const n of ours) allowed.set(n, "");
      if (piece === "nothing of ours") continue;
      const w = /^(\w+)(?:\s*\((\w+)\/([\w/]+)\))?/.exec(piece);
      if (!w || !ours.has(w[1]!)) continue; // a library (zod, @noble/*): not checked here
      // "rules (kit/testing)": only kit's src/testing may import rules.
      allowed.set(w[1]!, w[2] !== undefined ? w[3]! : "");
    }
    rules.push({ part: m[1]!, allowed });
  }
  return rules;
}

function* sourceFiles(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === "node_modules" || name === "dist") continue;
    if (statSync(p).isDirectory()) yield* sourceFiles(p);
    else if (/\.(ts|mts|mjs|js)$/.test(name)) yield p;
  }
}

/** Workspace packages a source imports (type-only imports count: they are a dependency too). */
function importsOf(file: string): string[] {
  const src = readFileSync(file, "utf8");
  const out = new Set<string>();
  for (const m of src.matchAll(/(?:from\s*|import\s*\(?\s*)["']@p2pnode\/([\w-]+)/g)) out.add(m[1]!);
  return [...out];
}

function declared(part: string): { dependencies: string[]; all: string[] } {
  const pkg = JSON.parse(readRepoFile(part, "package.json")) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const names = (o: Record<string, string> | undefined) =>
    Object.keys(o ?? {})
      .filter((k) => k.startsWith(SCOPE))
      .map((k) => k.slice(SCOPE.length));
  const dependencies = names(pkg.dependencies);
  return { dependencies, all: [...dependencies, ...names(pkg.devDependencies)] };
}

const rules = readRules(readRepoFile("ARCHITECTURE.md"));

describe("ARCHITECTURE.md's may-import column", () => {
  it("has a row for every workspace package", () => {
    const parts = [
      ...[...ours].map((n) => `packages/${n}`),
      ...readdirSync(join(ROOT, "services"))
        .filter((n) => existsSync(join(ROOT, "services", n, "package.json")))
        .map((n) => `services/${n}`),
      "infra",
    ];
    expect(rules.map((r) => r.part).sort()).toEqual(parts.sort());
  });

  it.each(rules.map((r) => [r.part, r] as const))("holds for %s", (part, rule) => {
    const problems: string[] = [];
    const { dependencies, all } = declared(part);
    for (const d of all) if (!rule.allowed.has(d)) problems.push(`package.json declares ${d}`);
    for (const file of sourceFiles(join(ROOT, part))) {
      const rel = file.slice(ROOT.length + part.length + 2);
      for (const name of importsOf(file)) {
        if (`packages/${name}` === part) continue;
        const where = rule.allowed.get(name);
        if (where === undefined) problems.push(`${rel} imports ${name}`);
        else if (where !== "" && !rel.startsWith(`src/${where}/`) && rel.startsWith("src/"))
          problems.push(`${rel} imports ${name}, allowed only in src/${where}`);
        if (!all.includes(name)) problems.push(`${rel} imports ${name}, not in package.json`);
        // Shipped code (src) needs it at run time: a devDependency is missing from the image.
        else if (rel.startsWith("src/") && !dependencies.includes(name))
          problems.push(`${rel} imports ${name}, a devDependency only`);
      }
    }
    expect([...new Set(problems)]).toEqual([]);
  });

  it("reads the table's forms: lists, 'packages only', 'nothing of ours', a part limited to a folder", () => {
    const [a, b, c] = readRules(
      [
        "| `packages/kit` | x | y | types, rules (kit/testing), zod |",
        "| `services/chain` | x | y | packages only |",
        "| `packages/stark` | x | y | nothing of ours |",
      ].join("\n"),
    );
    expect([...a!.allowed]).toEqual([
      ["types", ""],
      ["rules", "testing"],
    ]);
    expect(b!.allowed.has("kit") && b!.allowed.has("types")).toBe(true);
    expect(c!.allowed.size).toBe(0);
  });
});

describe("services read their configuration once", () => {
  it("no service source but its entry point (src/main.ts) reads process.env: they use the parsed config", () => {
    const readers: string[] = [];
    for (const svc of readdirSync(join(ROOT, "services"))) {
      for (const file of sourceFiles(join(ROOT, "services", svc, "src"))) {
        if (file.endsWith(`${svc}/src/main.ts`)) continue;
        if (/process\.env\b/.test(readFileSync(file, "utf8"))) readers.push(file.slice(ROOT.length + 1));
      }
    }
    expect(readers).toEqual([]);
  });
});
