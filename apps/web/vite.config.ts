import { defaultClientConditions, defineConfig } from "vite";

// A static site: `pnpm web` serves it, `vite build` writes dist/ (relative URLs, so any folder serves it).
export default defineConfig({
  base: "./",
  // The workspace packages' TypeScript sources (their `@stepwise/source` export condition), not their dist/.
  resolve: { conditions: ["@stepwise/source", ...defaultClientConditions] },
  server: { host: "127.0.0.1", fs: { allow: ["../.."] } },
  build: { target: "es2022", chunkSizeWarningLimit: 4096 },
  optimizeDeps: { exclude: ["@stepwise/data", "@stepwise/core"] },
});
