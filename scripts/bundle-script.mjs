// The code file of a bundle (scripts/bundle.mjs writes it, scripts/bundle-launcher.mjs runs it).

/** The bundle's own URL, set by its first line (a CommonJS module inside it has no import.meta). */
export const BUNDLE_URL = "__p2pnodeBundleUrl";

/** The ES module bundle's first line: CommonJS packages inlined into it call require(). */
export const BANNER = `import { createRequire as __bundleRequire } from "node:module"; const ${BUNDLE_URL} = import.meta.url; const require = __bundleRequire(${BUNDLE_URL});`;

/**
 * The ES module bundle as the body of one async function of (require, BUNDLE_URL), which the
 * launcher compiles as a script: its imports (only of Node's built-ins: everything else is inlined
 * or required) become requires at the top, where ES imports are bound before any code runs. The
 * banner (after a shebang if any) gives way to the function's head, so every other
 * line keeps its number.
 */
export function asScript(esm) {
  const lines = esm.split("\n");
  const requires = [];
  const bannerAt = lines[0].startsWith("#!") ? 1 : 0;
  if (lines[bannerAt] !== BANNER) throw new Error("bundle: the code does not start with the banner");
  for (let i = bannerAt + 1; i < lines.length; i++) {
    if (!/^(import|export)\b/.test(lines[i])) continue;
    const m = /^import \{([^}]*)\} from ("node:[a-z_/]+");$/.exec(lines[i]);
    if (!m) throw new Error(`bundle: cannot make a script of this line ${i + 1}: ${lines[i]}`);
    const names = m[1].split(",").map((n) => n.trim().replace(/ as /, ": "));
    requires.push(`const { ${names.filter(Boolean).join(", ")} } = require(${m[2]});`);
    lines[i] = "";
  }
  const head = `(async function (require, ${BUNDLE_URL}) { "use strict"; ${requires.join(" ")}`;
  const body = lines
    .slice(bannerAt + 1)
    .join("\n")
    .replaceAll("import.meta.url", BUNDLE_URL);
  return `${bannerAt ? "\n" : ""}${head}\n${body}\n})`;
}
