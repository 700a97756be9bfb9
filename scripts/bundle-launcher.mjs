#!/usr/bin/env node
// Copied by scripts/bundle.mjs as each bundle's outfile (a service's dist/bundle.js, the CLI's
// dist/main.js): it runs the bundled code beside it (<name>.code.cjs) through V8's code cache.
//
// Why: every service process (six per node) and every CLI command compiled its 2–4 MB bundle from
// source at start, ~100 ms of CPU each, and Node 20 keeps no compile cache for ES modules. A
// vm.Script takes V8's cached data: the first process to start a bundle writes
// `<name>.code.<key>.cache` (once start-up has compiled what starting needs, or at exit), and the
// next ones skip most of the compile. V8 refuses a cache made by another Node version or other
// flags (--max-semi-space-size included), so the key names both, and each set of flags keeps its
// own file instead of each process rewriting the other's; V8 checks the source by its length only,
// so the key also names the code file's size and time (a rebuild deletes the old caches too). A
// refused or missing cache means a compile from source, as without one; a folder that cannot be
// written (a read-only image) only goes without the cache. The code is the ES module bundle wrapped in one async function (top-level await
// stays), which gets `require` and the bundle's own URL: what the module's banner gave it.
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Script } from "node:vm";

/** How long after start the cache is written: by then a service has started, a command has run. */
const WRITE_AFTER_MS = 3_000;

const url = import.meta.url;
const codeFile = fileURLToPath(url).replace(/\.js$/, ".code.cjs");
const code = statSync(codeFile);
const cacheFile = codeFile.replace(
  /\.cjs$/,
  `.${cacheKey(`${process.version} ${process.execArgv.join(" ")} ${code.size} ${code.mtimeMs}`)}.cache`,
);
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  // no cache yet: compiled from source, and written below
}
const script = new Script(readFileSync(codeFile, "utf8"), {
  filename: codeFile,
  ...(cachedData ? { cachedData } : {}),
  importModuleDynamically: (specifier) => import(specifier),
});
if (!cachedData || script.cachedDataRejected) {
  let written = false;
  // Another process may write the same cache meanwhile: each writes its own file and renames it.
  const write = () => {
    if (written) return;
    written = true;
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      rmSync(tmp, { force: true });
    }
  };
  setTimeout(write, WRITE_AFTER_MS).unref();
  process.once("exit", write);
}
await script.runInThisContext()(createRequire(url), url);

/** FNV-1a, 32 bits, in hex: a short file-name key (no crypto module loaded for it). */
function cacheKey(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}
