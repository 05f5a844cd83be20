import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runInProcess } from "./cli-capture.ts";
import { tempDir } from "./test-helpers.ts";

describe("trainer plan --data", () => {
  it("--data with quoted newlines → N is the number of records, not lines", async () => {
    const dir = tempDir("plan-");
    const file = join(dir, "d.csv");
    writeFileSync(file, 'a,b,label\n1,"x\ny",0\n2,"p\r\nq",1\r\n3,z,0\n');
    const { stdout, code } = await runInProcess(["plan", "--data", file, "--batch-size", "2", "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ numSamples: 3, stepsPerPass: 2, lastBatchSize: 1 });
  });
});
