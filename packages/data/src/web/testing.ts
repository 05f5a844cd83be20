/**
 * Test support for browser suites (Node only, `@stepwise/data/testing`): a 127.0.0.1 static
 * server with HTTP Range support, and Debian's Chromium driven by playwright-core.
 */
export { CHROMIUM, type ChromiumPage, openChromiumPage } from "./chromium.ts";
export { type StaticServer, serveStatic } from "./test-server.ts";
