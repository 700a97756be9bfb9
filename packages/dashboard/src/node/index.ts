import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";

/*
 * Where the built page lives, for the gateway that serves it. The bundle (index.html and
 * assets/) is made at build time by scripts/bundle.mjs; nothing of it comes from the network.
 */

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".map": "application/json",
};

/** The page's directory: dist/page beside this module's dist/node (or src/node when run from source). */
export function dashboardPageDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return join(here, "..", "..", "dist", "page");
}

export interface DashboardAsset {
  body: Buffer;
  contentType: string;
}

/**
 * Reads the whole page into memory once: a few hundred KB, served without touching the disk.
 * Returns undefined when the package was not built (the gateway then answers 503).
 */
export function loadDashboardAssets(dir = dashboardPageDir()): Map<string, DashboardAsset> | undefined {
  if (!existsSync(join(dir, "index.html"))) return undefined;
  const out = new Map<string, DashboardAsset>();
  const add = (rel: string) => {
    const contentType = CONTENT_TYPES[extname(rel)];
    if (contentType) out.set(rel, { body: readFileSync(join(dir, rel)), contentType });
  };
  add("index.html");
  const assets = join(dir, "assets");
  if (existsSync(assets)) for (const f of readdirSync(assets)) add(`assets/${f}`);
  return out;
}
