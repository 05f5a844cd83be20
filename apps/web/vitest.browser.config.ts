import { configDefaults, defineConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

/** The page test in Chromium (`pnpm test:browser`). */
export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: ["src/**/*.chromium.test.ts"],
    exclude: configDefaults.exclude,
    fileParallelism: false,
  },
});
