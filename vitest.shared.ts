import { configDefaults, defineConfig } from "vitest/config";

/**
 * Settings every package's tests share. No test may depend on how fast the machine is: property
 * tests are sized by run count, and a test is given a minute before it counts as hung (a busy
 * 2-core machine runs the slowest property here in ~5 s; tests that start processes or train set
 * their own, longer bounds).
 */
/**
 * Workspace packages resolve to their TypeScript source (the `@stepwise/source` export condition),
 * so tests need no build; the rest are Vite's default server conditions.
 */
const conditions = ["@stepwise/source", "module", "node", "development|production"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@stepwise/source"] } },
  test: {
    include: ["src/**/*.test.ts"],
    // Tests in a real Chromium run by `pnpm test:browser` (see each package's vitest.browser.config.ts).
    exclude: [...configDefaults.exclude, "src/**/*.chromium.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
