import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataError } from "../errors.ts";
import { numericSchema, tempDir } from "../row-index/test-helpers.ts";
import { csvSource } from "./source.ts";

const dir = tempDir("stepwise-rejects-");

// Row 1 is bad (a word where a number belongs): it goes to the rejects file.
const CSV = "x,y,label\n1,2,0\n1,oops,1\n3,4,0\n";

describe("rejects file", () => {
  it.each([
    ["in a missing folder", () => join(dir, "missing", "rejects.csv"), /ENOENT/],
    ["naming a folder", () => dir, /EISDIR/],
  ])(
    "%s → the pass fails with a DataError naming the file (it never hangs or ends quietly)",
    async (_, rejects, code) => {
      const path = join(dir, `data-${Math.random().toString(36).slice(2)}.csv`);
      await writeFile(path, CSV);
      const source = csvSource({
        paths: path,
        schema: numericSchema(),
        onBadRecord: "quarantine",
        rejects: rejects(),
      });
      const read = (async () => {
        for await (const _ of source.stream()) {
          // Read to the end: the rejects file is written and closed on the way.
        }
      })();
      const error = await read.then(
        () => null,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(DataError);
      expect((error as DataError).code).toBe("io");
      expect((error as DataError).message).toContain(rejects());
      expect((error as DataError).message).toMatch(code);
    },
    30_000,
  );
});
