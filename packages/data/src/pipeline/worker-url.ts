/**
 * Where a worker thread starts. Built (this module is `.js`): the compiled entry itself, plain
 * JavaScript that any Node loads. From the workspace's TypeScript source (tests, `pnpm trainer`):
 * `worker-boot.mjs`, which makes the thread able to load `.ts` files first, then imports `entry`.
 */
export function workerStart(name: "worker-entry" | "worker-source-entry"): { url: URL; entry: string } {
  if (import.meta.url.endsWith(".js")) {
    const url = new URL(`./${name}.js`, import.meta.url);
    return { url, entry: url.href };
  }
  return {
    url: new URL("./worker-boot.mjs", import.meta.url),
    entry: new URL(`./${name}.ts`, import.meta.url).href,
  };
}
