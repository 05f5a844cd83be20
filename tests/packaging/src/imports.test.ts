import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Every .ts/.mjs file under `dir` (relative to the repository root), node_modules and dist left out. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (!entry.isFile() || /node_modules|[/\\]dist[/\\]/.test(path) || !/\.(ts|mjs)$/.test(entry.name))
      continue;
    out.push(relative(ROOT, path));
  }
  return out;
}

const isTestFile = (file: string) => /\.test\.ts$|test-helpers\.ts$/.test(file);
const importsOf = (file: string) =>
  [...readFileSync(join(ROOT, file), "utf8").matchAll(/(?:from|import\()\s*"([^"]+)"/g)].map(
    (m) => m[1] as string,
  );

describe("what the built packages and the bench import", () => {
  it("library files that ship (not tests or test helpers) → no fast-check, a dev dependency", () => {
    const offenders = [...sources("packages/core/src"), ...sources("packages/data/src")].filter(
      (file) =>
        !isTestFile(file) && importsOf(file).some((s) => s === "fast-check" || s.startsWith("fast-check/")),
    );
    expect(offenders).toEqual([]);
  });

  it("the bench → packages by name (@stepwise/…), never files of packages/ or apps/", () => {
    const offenders = sources("bench/src").flatMap((file) =>
      importsOf(file)
        .filter((s) => /(^|\/)(packages|apps)\//.test(s))
        .map((s) => `${file}: ${s}`),
    );
    expect(offenders).toEqual([]);
  });
});
