import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

/** Bundles `code` (which imports the package by name) for the browser; returns the modules it took in. */
async function bundleForBrowser(code: string): Promise<{ inputs: string[]; errors: number }> {
  const result = await build({
    stdin: { contents: code, resolveDir: packageDir, loader: "ts" },
    bundle: true,
    platform: "browser",
    // The workspace's sources (the `@stepwise/source` condition); the packaging test bundles dist/.
    conditions: ["@stepwise/source", "module"],
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  return { inputs: Object.keys(result.metafile.inputs), errors: result.errors.length };
}

describe("browser bundle", () => {
  it("the package and its tfjs entry bundled for the browser → no error, no Node built-in, the web platform helpers", async () => {
    const { inputs, errors } = await bundleForBrowser(
      `import * as data from "@stepwise/data"; import * as tfjs from "@stepwise/data/tfjs"; console.log(data, tfjs);`,
    );
    expect(errors).toBe(0);
    expect(inputs.filter((input) => input.startsWith("node:"))).toEqual([]);
    expect(inputs.some((input) => input.endsWith("src/platform/web.ts"))).toBe(true);
    expect(inputs.some((input) => input.endsWith("src/platform/node.ts"))).toBe(false);
    expect(inputs.some((input) => /csv-parse|tinyglobby/.test(input))).toBe(false);
  });

  it("an entry using only arraySource and createPipeline → bundles without the CSV readers' Node parts", async () => {
    const { inputs, errors } = await bundleForBrowser(
      `import { arraySource, createPipeline } from "@stepwise/data"; console.log(arraySource, createPipeline);`,
    );
    expect(errors).toBe(0);
    expect(inputs.filter((input) => input.startsWith("node:") || input.includes("file-input"))).toEqual([]);
  });
});
