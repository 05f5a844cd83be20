// A static file server for tests (127.0.0.1 only, a free port): files from a folder, with HTTP
// Range requests answered (206) unless `ranges` is false, as a plain static host would.
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".csv": "text/csv",
  ".wasm": "application/wasm",
  ".gz": "application/gzip",
};

export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  close(): Promise<void>;
}

export async function serveStatic(root: string, options: { ranges?: boolean } = {}): Promise<StaticServer> {
  const ranges = options.ranges ?? true;
  const server: Server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname));
    if (path.includes("..")) {
      response.writeHead(403).end();
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(join(root, path === "/" ? "index.html" : path));
    } catch {
      response.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = {
      "Content-Type": TYPES[extname(path)] ?? "application/octet-stream",
      "Cache-Control": "no-store",
    };
    const range = ranges ? /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "") : null;
    if (range !== null) {
      const start = Number(range[1]);
      const end = Math.min(body.length - 1, range[2] === "" ? body.length - 1 : Number(range[2]));
      if (start >= body.length || start > end) {
        response.writeHead(416, { "Content-Range": `bytes */${body.length}` }).end();
        return;
      }
      response.writeHead(206, { ...headers, "Content-Range": `bytes ${start}-${end}/${body.length}` });
      response.end(body.subarray(start, end + 1));
      return;
    }
    response.writeHead(200, { ...headers, ...(ranges ? { "Accept-Ranges": "bytes" } : {}) });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
