#!/usr/bin/env node
// The installed `stepwise` command: the compiled CLI, plain JavaScript (`pnpm build` makes it).
try {
  await import("../dist/bin.js");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || !String(error.message).includes("dist/bin.js")) throw error;
  process.stderr.write("stepwise: the CLI is not built: run `pnpm build` in the stepwise workspace\n");
  process.exitCode = 1;
}
