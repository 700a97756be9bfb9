#!/usr/bin/env node
// Bundles each built entry of scripts/bundle-targets.mjs into one file: each service's
// dist/main.js into services/<name>/dist/bundle.js, which is what the supervisor starts, and the
// CLI's dist/entry.js into packages/cli/dist/main.js, the `p2pnode` bin (so the supervisor itself,
// and every CLI command). Run by `pnpm build`, after tsc.
//
// Why: a service loads ~950 modules (zod, fastify, nats, our packages) one file at a time, and a
// node starts six services and a supervisor at once. From one file the import phase costs about
// half the CPU (chain: 0.75 → 0.35 CPU-s), which is most of a node's start-up on a busy machine.
//
// The bundle must behave exactly as the files it is made of, wherever the tree is copied to:
// - `import.meta.url` in our own modules still names the module's own file in dist/, so the
//   sibling files they find from it (worker entries, the dashboard's page) are the built ones;
// - the packages in EXTERNAL are not inlined: each is `require`d at run time from the module that
//   imports it, so Node resolves it from that package's own node_modules as before. These are the
//   ones that read files next to their own code (better-sqlite3's native addon, swagger-ui's page)
//   and the API docs' packages, which a service loads only when /docs is first asked for;
// - a dynamic import() stays lazy: esbuild evaluates the inlined module only when it is called, so
//   `p2pnode node start` still runs none of the other commands' modules.
//
// The bundled code goes to <name>.code.cjs (scripts/bundle-script.mjs makes it a script), and the
// outfile is a copy of scripts/bundle-launcher.mjs, which runs that code through V8's code cache.
import {
  chmodSync,
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { asScript, BANNER, BUNDLE_URL } from "./bundle-script.mjs";
import { bundleTargets, codeFileOf } from "./bundle-targets.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const EXTERNAL = ["better-sqlite3", "@fastify/swagger", "@fastify/swagger-ui"];
/** What each outfile is: it starts the code file through V8's code cache (read its comment). */
const LAUNCHER = fileURLToPath(new URL("./bundle-launcher.mjs", import.meta.url));

/** A path from the bundle's folder to `file`, as a URL-relative string ("../x/y.js"). */
function fromBundle(outDir, file) {
  const rel = relative(outDir, file).split("\\").join("/");
  return rel.startsWith(".") ? rel : `./${rel}`;
}

function plugin(outDir) {
  return {
    name: "p2pnode-service-bundle",
    setup(b) {
      // Our modules: import.meta.url → the URL of the module's own built file.
      b.onLoad({ filter: /\/(packages|services)\/[^/]+\/dist\/.*\.js$/ }, (args) => {
        if (args.path.includes("/node_modules/")) return undefined;
        const own = `new URL(${JSON.stringify(fromBundle(outDir, args.path))}, import.meta.url).href`;
        const contents = readFileSync(args.path, "utf8").replaceAll("import.meta.url", own);
        return { contents, loader: "js", resolveDir: dirname(args.path) };
      });
      // EXTERNAL: required from the importing module's own location at run time.
      const names = EXTERNAL.map((n) => n.replace(/[/.]/g, "\\$&")).join("|");
      b.onResolve({ filter: new RegExp(`^(${names})$`) }, (args) => ({
        path: args.path,
        namespace: "external-from",
        pluginData: { importer: args.importer },
      }));
      b.onLoad({ filter: /.*/, namespace: "external-from" }, (args) => ({
        // A CommonJS module, so that default and named imports of it both work as with the package.
        contents: [
          'const { createRequire } = require("node:module");',
          `const from = new URL(${JSON.stringify(fromBundle(outDir, args.pluginData.importer))}, ${BUNDLE_URL});`,
          `module.exports = createRequire(from)(${JSON.stringify(args.path)});`,
        ].join("\n"),
        loader: "js",
      }));
    },
  };
}

/**
 * Whether the bundle is newer than every file it was made of last time (its inputs are listed
 * beside it). A package upgrade moves its files, so a missing input also means out of date.
 */
function upToDate(outfile, inputsFile) {
  if (!existsSync(outfile) || !existsSync(inputsFile)) return false;
  const made = statSync(outfile).mtimeMs;
  const scripts = [
    fileURLToPath(import.meta.url),
    LAUNCHER,
    fileURLToPath(new URL("./bundle-script.mjs", import.meta.url)),
    fileURLToPath(new URL("./bundle-targets.mjs", import.meta.url)),
  ];
  const inputs = [...scripts, ...JSON.parse(readFileSync(inputsFile, "utf8"))];
  return inputs.every((f) => existsSync(f) && statSync(f).mtimeMs <= made);
}

const started = performance.now();
const made = await Promise.all(
  bundleTargets(root).map(async ({ entry, outfile, executable }) => {
    const outDir = dirname(outfile);
    // Deleted from the production tree (scripts/prod-tree.sh removes every *.inputs.json).
    const inputsFile = join(outDir, `${basename(outfile, ".js")}.inputs.json`);
    const codeFile = codeFileOf(outfile);
    if (upToDate(codeFile, inputsFile) && upToDate(outfile, inputsFile)) return 0;
    const result = await build({
      entryPoints: [entry],
      outfile,
      write: false,
      metafile: true,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      banner: { js: BANNER },
      plugins: [plugin(outDir)],
      logLevel: "warning",
    });
    writeFileSync(codeFile, asScript(result.outputFiles[0].text));
    // The caches of the code this replaces (scripts/bundle-launcher.mjs names them).
    const cachePrefix = basename(codeFile).replace(/\.cjs$/, ".");
    for (const f of readdirSync(outDir))
      if (f.startsWith(cachePrefix) && f.endsWith(".cache")) rmSync(join(outDir, f), { force: true });
    copyFileSync(LAUNCHER, outfile);
    if (executable) chmodSync(outfile, 0o755);
    const inputs = Object.keys(result.metafile.inputs)
      .filter((f) => !f.includes(":")) // the externals' stand-ins have no file
      .map((f) => resolve(root, f));
    writeFileSync(inputsFile, JSON.stringify(inputs));
    return 1;
  }),
);
const count = made.reduce((a, b) => a + b, 0);
if (count > 0) console.log(`bundled ${count} entries in ${Math.round(performance.now() - started)} ms`);
