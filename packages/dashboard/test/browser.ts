import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium (`apt-get install chromium`); P2PNODE_CHROMIUM points elsewhere. */
export const CHROMIUM = process.env.P2PNODE_CHROMIUM ?? "/usr/bin/chromium";

const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface OfflineBrowser {
  context: BrowserContext;
  page: Page;
  /** Every request the page tried that was not to this machine (all refused). */
  outside: string[];
  close(): Promise<void>;
}

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Headless Chromium with a fresh profile and the internet cut off: a request to any host but
 * this machine is refused and recorded, so a test can assert the page never asked for one.
 */
export async function offlineBrowser(viewport = { width: 1280, height: 1000 }): Promise<OfflineBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  const profile = mkdtempSync(join(tmpdir(), "p2pnode-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport,
  });
  const outside: string[] = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (
      (url.protocol === "http:" || url.protocol === "https:" || url.protocol === "ws:") &&
      !LOCAL_HOSTS.has(url.hostname)
    ) {
      outside.push(url.href);
      return route.abort("internetdisconnected");
    }
    return route.continue();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    outside,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
