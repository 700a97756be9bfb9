#!/usr/bin/env node
// Fails when a workspace package's shipped code imports, at run time, a package that its
// package.json does not list in `dependencies`. The image installs production dependencies only
// (scripts/prod-tree.sh), so such an import works in the workspace and crashes in a container.
//
//   node scripts/check-deps.mjs [ROOT]     ROOT defaults to this repository; run after `pnpm build`
//
// Shipped code = every .js/.mjs/.cjs under <package>/dist, plus infra/docker/*.mjs (the image's
// health check). Type-only imports are gone from dist, so only run-time imports are seen.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleTargets, codeFileOf } from "./bundle-targets.mjs";
import { rootArg } from "./root-arg.mjs";

const root = rootArg(
  process.argv.slice(2),
  resolve(dirname(fileURLToPath(import.meta.url)), ".."),
  `usage: node scripts/check-deps.mjs [ROOT]
Fails when a workspace package's shipped code (dist, and infra/docker/*.mjs) imports at run time
a package its package.json does not list in dependencies: the image installs those only.
ROOT defaults to this repository; run after \`pnpm build\`.`,
);
const builtins = new Set(builtinModules);

/** Workspace packages: packages/*, services/*, infra (the layout of pnpm-workspace.yaml). */
function workspacePackages() {
  const dirs = [];
  for (const group of ["packages", "services"]) {
    const g = join(root, group);
    if (!existsSync(g)) continue;
    for (const name of readdirSync(g)) dirs.push(join(g, name));
  }
  dirs.push(join(root, "infra"));
  return dirs.filter((d) => existsSync(join(d, "package.json")));
}

function* files(dir, extensions) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === "node_modules") continue;
    if (statSync(p).isDirectory()) yield* files(p, extensions);
    else if (extensions.some((e) => name.endsWith(e))) yield p;
  }
}

/**
 * Comments and template literals removed: an example in a doc comment, or the source of a worker
 * started with eval (kit's startWorker loads tsx that way, only when running from .ts sources), is
 * not an import of this module.
 */
function stripNonCode(src) {
  return src
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/`(?:[^`\\]|\\.)*`/g, "``")
    .replace(/(^|[^:"'`\\])\/\/[^\n]*/g, "$1");
}

const IMPORT_PATTERNS = [
  /(?:^|[;\s}])(?:import|export)\s[^;"'`]*?\sfrom\s*["']([^"']+)["']/g, // import x from "m", export * from "m"
  /(?:^|[;\s}])import\s*["']([^"']+)["']/g, // import "m"
  /\bimport\(\s*["']([^"']+)["']\s*\)/g, // import("m")
  /\brequire\(\s*["']([^"']+)["']\s*\)/g, // require("m")
];

export function importedSpecifiers(src) {
  const code = stripNonCode(src);
  const out = new Set();
  for (const re of IMPORT_PATTERNS) for (const m of code.matchAll(re)) out.add(m[1]);
  return [...out];
}

/** "@scope/name/sub" → "@scope/name", "name/sub" → "name"; undefined for relative, builtin or #import. */
export function packageOf(specifier) {
  if (/^[./]/.test(specifier) || specifier.startsWith("#") || specifier.startsWith("node:")) return undefined;
  const parts = specifier.split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  return builtins.has(name) ? undefined : name;
}

const bundles = new Set(bundleTargets(root).flatMap((t) => [t.outfile, codeFileOf(t.outfile)]));
const problems = [];
let checked = 0;
for (const dir of workspacePackages()) {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const declared = new Set([
    pkg.name,
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
  ]);
  // A bundle (a service's dist/bundle.js, the CLI's dist/main.js) is its entry with every module
  // inlined (third-party code included, whose generated-code strings mention require("…")): the
  // files it is made of are checked here one by one, and its remaining imports are built-ins and
  // the packages it requires from the importing module's own folder (scripts/bundle.mjs).
  const shipped = [...files(join(dir, "dist"), [".js", ".mjs", ".cjs"])].filter((f) => !bundles.has(f));
  if (relative(root, dir) === "infra") shipped.push(...files(join(dir, "docker"), [".mjs", ".js"]));
  for (const file of shipped) {
    checked++;
    for (const spec of importedSpecifiers(readFileSync(file, "utf8"))) {
      const name = packageOf(spec);
      if (name !== undefined && !declared.has(name)) {
        problems.push(
          `${relative(root, file)} imports ${spec}, but ${relative(root, join(dir, "package.json"))} does not list ${name} in dependencies`,
        );
      }
    }
  }
}

if (problems.length > 0) {
  for (const p of problems) process.stderr.write(`check-deps: ${p}\n`);
  process.exit(1);
}
if (checked === 0) {
  process.stderr.write(`check-deps: no built file under ${root}: run \`pnpm build\` first\n`);
  process.exit(1);
}
process.stdout.write(`check-deps: ${checked} shipped files, every run-time import declared\n`);
