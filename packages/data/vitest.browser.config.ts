import { configDefaults, defineConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

/** The Chromium suite (`pnpm test:browser`): the `*.chromium.test.ts` files, one at a time (one browser each). */
export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: ["src/**/*.chromium.test.ts"],
    exclude: configDefaults.exclude,
    fileParallelism: false,
  },
});
