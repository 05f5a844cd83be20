#!/usr/bin/env node
// The `stepwise` command (and `pnpm trainer` in the workspace): runs the CLI, and when a package
// manager started it, stops it once that package manager is gone (see parent-watch.ts).
import { main } from "./cli.ts";
import { startedByPackageManager, watchParent } from "./parent-watch.ts";

if (startedByPackageManager()) {
  watchParent(() => {
    process.stderr.write("stepwise: stopping: the command that started it has ended\n");
    process.exit(129);
  });
}
process.exitCode = await main(process.argv.slice(2));
