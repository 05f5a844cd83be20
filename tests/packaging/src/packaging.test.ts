import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The packed libraries as a new project meets them: `pnpm pack` of core and data, `npm install`
// of both tarballs into a folder outside the workspace (no tsx, no workspace links), then plain
// `node` and `tsc` there. Needs the packages built (`pnpm build`; turbo builds them before this
// test) and the npm registry for @tensorflow/tfjs (the npm cache serves it after the first run).

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FIXTURES = fileURLToPath(new URL("../consumer/", import.meta.url));
const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const MINUTES = 60_000;

/** The README's library example: the code block after the `library-example` marker. */
export function readmeExample(readme: string): string {
  const match = /<!-- library-example[^>]*-->\s*```js\n([\s\S]*?)```/.exec(readme);
  if (match?.[1] === undefined) throw new Error("README.md has no library-example block");
  return match[1];
}

/** pnpm as the running script was started with it (npx in CI), else from PATH. */
function pnpm(args: string[], cwd: string) {
  const execPath = process.env.npm_execpath;
  return execPath?.includes("pnpm")
    ? run(process.execPath, [execPath, ...args], { cwd })
    : run("pnpm", args, { cwd, shell: process.platform === "win32" });
}

function tarballFiles(tarball: string): Promise<string[]> {
  return run("tar", ["tzf", tarball]).then(({ stdout }) => stdout.trim().split("\n"));
}

const dir = mkdtempSync(join(tmpdir(), "stepwise-consumer-"));
const tarballs = { core: "", data: "" };

beforeAll(async () => {
  for (const name of ["core", "data"] as const) {
    const pkg = join(ROOT, "packages", name);
    if (!existsSync(join(pkg, "dist", "index.js"))) {
      throw new Error(`packages/${name} is not built: run \`pnpm build\` (pnpm test builds it first)`);
    }
    const { stdout } = await pnpm(["pack", "--pack-destination", dir], pkg);
    tarballs[name] = stdout.trim().split("\n").at(-1) as string;
  }
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  await run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      tarballs.core,
      tarballs.data,
      "@tensorflow/tfjs@^4.22.0",
      "@types/node@^20",
    ],
    { cwd: dir, shell: process.platform === "win32" },
  );
  for (const file of [
    "consumer.mjs",
    "consumer.ts",
    "browser.ts",
    "fit.mjs",
    "tsconfig.json",
    "tsconfig.declarations.json",
    "tsconfig.browser.json",
  ])
    copyFileSync(join(FIXTURES, file), join(dir, file));
  copyFileSync(join(ROOT, "examples/iris/iris.csv"), join(dir, "train.csv"));
  const example = readmeExample(readFileSync(join(ROOT, "README.md"), "utf8"));
  writeFileSync(join(dir, "readme.mjs"), example);
  writeFileSync(join(dir, "readme.ts"), example);
}, 10 * MINUTES);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("packed @stepwise/core and @stepwise/data", () => {
  it("the tarballs → only the build, README, LICENSE and package.json; core as a version range", async () => {
    for (const tarball of [tarballs.core, tarballs.data]) {
      const files = await tarballFiles(tarball);
      expect(files).toContain("package/README.md");
      expect(files).toContain("package/LICENSE");
      expect(files).toContain("package/dist/index.js");
      expect(files).toContain("package/dist/index.d.ts");
      expect(files).toContain("package/dist/index.js.map");
      const stray = files.filter(
        (f) => !/^package\/(dist\/.+\.(js|d\.ts|map)|README\.md|LICENSE|package\.json)$/.test(f),
      );
      expect(stray).toEqual([]);
      expect(files.filter((f) => /test|\.ts$/.test(f) && !f.endsWith(".d.ts"))).toEqual([]);
      // The browser suites' support (Chromium driver, static server) is the workspace's only.
      expect(files.filter((f) => /chromium/.test(f))).toEqual([]);
    }
    const manifest = JSON.parse(readFileSync(join(dir, "node_modules/@stepwise/data/package.json"), "utf8"));
    expect(manifest.dependencies["@stepwise/core"]).toMatch(/^\^\d+\.\d+\.\d+$/);
    expect(manifest.dependencies.tsx).toBeUndefined();
    expect(JSON.stringify(manifest.exports)).not.toContain("src/");
    expect(JSON.stringify(manifest.imports)).not.toContain("src/");
  });

  it("installed with npm → no tsx, no fast-check in the consumer's node_modules", () => {
    expect(existsSync(join(dir, "node_modules/tsx"))).toBe(false);
    expect(existsSync(join(dir, "node_modules/fast-check"))).toBe(false);
  });

  it(
    "node consumer.mjs → a CSV through the row index, full shuffle, worker batches, stepsPerEpoch, exact resume",
    async () => {
      const { stdout } = await run(process.execPath, ["consumer.mjs"], { cwd: dir });
      expect(stdout).toMatch(/^ok: 54 steps over \d+ passes of 203 rows; resumed at step 27/m);
    },
    5 * MINUTES,
  );

  it(
    "node readme.mjs → the README's library example runs as written",
    async () => {
      const { stdout } = await run(process.execPath, ["readme.mjs"], { cwd: dir });
      // Epoch 3 of a 10-step epoch plan: global steps 30..39, each batch of 32 samples or a pass's last.
      const steps = stdout
        .trim()
        .split("\n")
        .map((line) => Number(line.split(" ")[0]));
      expect(steps).toEqual([30, 31, 32, 33, 34, 35, 36, 37, 38, 39]);
    },
    5 * MINUTES,
  );

  /** tsc's diagnostics for one of the consumer's configs ("" when it type-checks). */
  const typecheck = (config: string) =>
    run(process.execPath, [TSC, "-p", config], { cwd: dir }).then(
      ({ stdout }) => stdout,
      (error: { stdout: string }) => error.stdout || String(error),
    );

  it(
    "tsc --noEmit --strict, module NodeNext → every type of consumer.ts and the README example resolves",
    async () => {
      expect(await typecheck("tsconfig.json")).toBe("");
    },
    5 * MINUTES,
  );

  it(
    "tsc without skipLibCheck → the packages' own declaration files check too",
    async () => {
      // tfjs's declarations need the DOM library, so this config leaves out the ./tfjs subpath.
      expect(await typecheck("tsconfig.declarations.json")).toBe("");
    },
    5 * MINUTES,
  );

  it(
    "tsc, moduleResolution Bundler, DOM library, no Node types → the browser entries' types resolve",
    async () => {
      expect(await typecheck("tsconfig.browser.json")).toBe("");
    },
    5 * MINUTES,
  );

  it(
    "bundled for a browser by esbuild → dist's browser entries, the web platform helpers, no Node built-in",
    async () => {
      const result = await build({
        stdin: {
          contents:
            'import * as data from "@stepwise/data"; import * as tfjs from "@stepwise/data/tfjs"; console.log(data, tfjs);',
          resolveDir: dir,
          loader: "js",
        },
        bundle: true,
        platform: "browser",
        format: "esm",
        write: false,
        metafile: true,
        logLevel: "silent",
      });
      const inputs = Object.keys(result.metafile.inputs);
      expect(result.errors).toEqual([]);
      expect(inputs.filter((input) => input.startsWith("node:"))).toEqual([]);
      expect(inputs.some((input) => input.endsWith("@stepwise/data/dist/browser.js"))).toBe(true);
      expect(inputs.some((input) => input.endsWith("@stepwise/data/dist/tfjs/browser.js"))).toBe(true);
      expect(inputs.some((input) => input.endsWith("@stepwise/data/dist/platform/web.js"))).toBe(true);
      expect(inputs.some((input) => /platform\/node\.js|csv-parse|tinyglobby|file-input/.test(input))).toBe(
        false,
      );
    },
    5 * MINUTES,
  );

  it(
    "the ./tfjs subpath → model.fitDataset trains for the planned epochs and the loss falls",
    async () => {
      const { stdout } = await run(process.execPath, ["fit.mjs"], { cwd: dir });
      expect(stdout).toMatch(/^ok: loss /m);
    },
    5 * MINUTES,
  );
});
