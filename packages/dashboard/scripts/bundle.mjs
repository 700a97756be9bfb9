// Bundles the page for the gateway to serve: every byte it needs ends up in dist/page.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "page");
mkdirSync(join(out, "assets"), { recursive: true });
await build({
  entryPoints: [join(root, "src", "page", "main.ts")],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  outfile: join(out, "assets", "dashboard.js"),
  logLevel: "warning",
});
copyFileSync(join(root, "src", "page", "style.css"), join(out, "assets", "dashboard.css"));
copyFileSync(join(root, "src", "page", "index.html"), join(out, "index.html"));
