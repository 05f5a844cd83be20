// Test support: the Debian Chromium driven by playwright-core, and a page serving an esbuild
// bundle from a localhost static server. Playwright's own browser downloads are never used.
import { existsSync, mkdtempSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { type StaticServer, serveStatic } from "./test-server.ts";

export const CHROMIUM = process.env.STEPWISE_CHROMIUM ?? "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface ChromiumPage {
  page: Page;
  /** The folder the server serves (bundle, index.html, and whatever the test adds). */
  root: string;
  server: StaticServer;
  /** Every console error and page error, for the test's failure message. */
  errors: string[];
  close(): Promise<void>;
}

/**
 * Serves a page on 127.0.0.1 and opens it in a headless Chromium with a fresh profile: `entry`
 * bundled by esbuild into a fresh folder with an index.html, or a built site's folder `root`
 * (served as is, removed on close). Throws when Chromium is not installed (`apt-get install chromium`).
 */
export async function openChromiumPage(site: { entry: string } | { root: string }): Promise<ChromiumPage> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: the browser tests need Debian's chromium (apt-get install -y chromium)`,
    );
  }
  const root = "root" in site ? site.root : mkdtempSync(join(tmpdir(), "stepwise-page-"));
  const profile = mkdtempSync(join(tmpdir(), "stepwise-profile-"));
  if ("entry" in site) {
    await build({
      entryPoints: [site.entry],
      bundle: true,
      platform: "browser",
      // The workspace's TypeScript sources (see package.json `exports`/`imports`), not dist/.
      conditions: ["@stepwise/source", "module"],
      format: "esm",
      outfile: join(root, "page.js"),
      logLevel: "silent",
    });
    await writeFile(
      join(root, "index.html"),
      '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="page.js"></script>',
    );
  }
  const server = await serveStatic(root);
  let context: BrowserContext | null = null;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS, // the fresh profile goes in as --user-data-dir
    });
    const tab = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    tab.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    tab.on("pageerror", (error) => errors.push(error.message));
    await tab.goto(`${server.origin}/index.html`);
    const opened = context;
    return {
      page: tab,
      root,
      server,
      errors,
      async close() {
        await opened.close();
        await server.close();
        await rm(root, { recursive: true, force: true });
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context?.close();
    await server.close();
    throw error;
  }
}
