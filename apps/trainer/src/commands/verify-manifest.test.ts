import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runInProcess } from "../cli-capture.ts";
import { tempDir, writeToyCsv } from "../test-helpers.ts";

const dir = tempDir("verify-manifest-");
let data: string;
let manifest: string;
beforeAll(async () => {
  data = join(dir, "toy.csv");
  await writeToyCsv(data, 90);
  // 90 rows in batches of 16: 6 steps per pass; 3 epochs of 4 steps span passes 0 and 1.
  manifest = join(dir, "run.jsonl");
  const run = await train(["--seed", "5", "--manifest", manifest, "--out", join(dir, "run")]);
  expect(run.code).toBe(0);
});

function train(args: string[]) {
  return runInProcess([
    ...["train", "--data", data, "--label", "kind", "--model", "mlp:4", "--backend", "cpu"],
    ...["--batch-size", "16", "--steps-per-epoch", "4", "--epochs", "3", ...args],
  ]);
}

const verify = (args: string[]) => runInProcess(["verify-manifest", ...args]);

interface Entry {
  step: number;
  epoch: number;
  pass: number;
  batchInPass: number;
  rows: number[];
  padding: number;
  hash: string;
}

/** The documented rolling hash, written out here so a planted edit can keep the chain intact. */
function chainHash(previous: string, e: Omit<Entry, "hash">): string {
  return createHash("sha256")
    .update(`${previous}|${e.step}|${e.epoch}|${e.pass}|${e.batchInPass}|${e.padding}|`)
    .update(e.rows.join(","))
    .digest("hex")
    .slice(0, 16);
}

async function lines(file: string): Promise<string[]> {
  return (await readFile(file, "utf8")).trim().split("\n");
}

describe("trainer verify-manifest", () => {
  it("the manifest of a training run → OK: every step, both passes with each row once; exit 0", async () => {
    const all = await lines(manifest);
    expect(JSON.parse(all[0] as string)).toMatchObject({ type: "header", numSamples: 90, startStep: 0 });
    const entries = all.slice(1, -1).map((line) => JSON.parse(line) as Entry);
    expect(entries.map((e) => e.step)).toEqual([...Array(12).keys()]);
    expect(JSON.parse(all.at(-1) as string)).toEqual({
      type: "end",
      nextStep: 12,
      hash: entries[11]?.hash,
      reason: "complete",
    });
    const result = await verify([manifest]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      "manifest OK: 12 steps, 2 passes, numSamples 90",
      "pass 0: 90 of 90 rows once each, 0 padding, complete",
      "pass 1: 90 of 90 rows once each, 0 padding, complete",
      "",
    ]);
    const json = await verify([manifest, "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, steps: 12, numSamples: 90 });
  });

  it("a step line planted twice → FAILED: the copy breaks the hash chain; exit 1", async () => {
    const all = await lines(manifest);
    all.splice(4, 0, all[3] as string);
    const planted = join(dir, "copied-line.jsonl");
    await writeFile(planted, `${all.join("\n")}\n`);
    const result = await verify([planted]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^manifest FAILED \(1 problems\)/);
    expect(result.stdout).toMatch(/copied-line\.jsonl:5: step 2: hash \w+ does not continue the chain/);
  });

  it("a duplicate row planted with the chain recomputed → FAILED: the row appears twice in its pass; exit 1", async () => {
    const [header, ...rest] = await lines(manifest);
    const end = JSON.parse(rest.pop() as string) as { hash: string };
    const entries = rest.map((line) => JSON.parse(line) as Entry);
    // The test's hash must reproduce the file's, or a planted edit would fail for the wrong reason.
    let previous = "0".repeat(16);
    for (const entry of entries) {
      expect(chainHash(previous, entry)).toBe(entry.hash);
      previous = entry.hash;
    }
    const duplicate = (entries[0] as Entry).rows[0] as number;
    (entries[2] as Entry).rows[5] = duplicate;
    previous = "0".repeat(16);
    for (const entry of entries) {
      entry.hash = chainHash(previous, entry);
      previous = entry.hash;
    }
    const planted = join(dir, "duplicate-row.jsonl");
    const ended = JSON.stringify({ ...end, hash: previous });
    await writeFile(planted, `${[header, ...entries.map((e) => JSON.stringify(e)), ended].join("\n")}\n`);
    const result = await verify([planted]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `pass 0: row ${duplicate} appears again at step 2 (rank 0/1), first at step 0`,
    );
    expect(result.stdout).toMatch(/pass 0: 1 of 90 rows never appeared, yet pass 1 began/);
  });

  it("--reference with a run of another seed → FAILED at its first step; with itself → every step equal", async () => {
    const other = join(dir, "other-seed.jsonl");
    expect((await train(["--seed", "6", "--manifest", other, "--out", join(dir, "other")])).code).toBe(0);
    const differs = await verify([other, "--reference", manifest]);
    expect(differs.code).toBe(1);
    expect(differs.stdout).toMatch(/step 0 \(rank 0\/1\) differs from the reference/);
    const same = await verify([manifest, "--reference", manifest]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain("reference: 12 steps equal");
  });

  it("inspect manifests of all 4 ranks → every row once per pass with the padding counted apart; one rank alone → FAILED: the others' rows are missing", async () => {
    const files = [0, 1, 2, 3].map((rank) => join(dir, `rank-${rank}.jsonl`));
    for (const [rank, file] of files.entries()) {
      const args = ["inspect", "--data", data, "--label", "kind", "--batch-size", "7", "--seed", "3"];
      const shards = ["--num-shards", "4", "--shard-index", String(rank), "--epochs", "2", "--json"];
      const result = await runInProcess([...args, ...shards, "--manifest", file]);
      expect(result.code).toBe(0);
    }
    const all = await verify(files);
    expect(all.code).toBe(0);
    // 90 rows over 4 ranks: 23 each, 2 of them repeats.
    expect(all.stdout).toContain("pass 1: 90 of 90 rows once each, 2 padding, complete");
    const one = await verify([files[1] as string]);
    expect(one.code).toBe(1);
    expect(one.stdout).toContain("pass 0: 67 of 90 rows never appeared, yet pass 1 began");
  });

  it.each([
    ["the last 3 lines (end record and 2 steps)", 3],
    ["the end record only", 1],
  ])(
    "a manifest without %s → FAILED: its tail is missing; with --allow-incomplete → OK; exit 1 then 0",
    async (_, cut) => {
      const all = await lines(manifest);
      const truncated = join(dir, `truncated-${cut}.jsonl`);
      await writeFile(truncated, `${all.slice(0, -cut).join("\n")}\n`);
      const last = 12 - cut; // the step after the last one left
      const result = await verify([truncated]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(
        `rank 0/1: the manifest ends after step ${last} of the 12 planned without an end record: its last lines are missing, or the run was killed`,
      );
      const withReference = await verify([truncated, "--reference", manifest]);
      expect(withReference.code).toBe(1);
      if (cut > 1)
        expect(withReference.stdout).toContain(
          `the reference has steps ${last + 1}–11 that the manifest lacks`,
        );
      const allowed = await verify([truncated, "--allow-incomplete", "--reference", manifest]);
      expect(allowed.stdout).toMatch(/^manifest OK/);
      expect(allowed.stdout).toContain(
        `rank 0/1: incomplete, ${last + 1} of 12 planned steps (no end record)`,
      );
      expect(allowed.code).toBe(0);
    },
  );

  it("steps cut from before a kept end record → FAILED: the end record names the missing steps", async () => {
    const all = await lines(manifest);
    const cut = join(dir, "cut-before-end.jsonl");
    await writeFile(cut, `${[...all.slice(0, -3), all.at(-1)].join("\n")}\n`);
    const result = await verify([cut, "--allow-incomplete"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /cut-before-end\.jsonl:\d+: the end record says the segment wrote steps up to 11, the file has them up to 9/,
    );
  });

  it("a file that does not exist → one line naming it, exit 1", async () => {
    const result = await verify([join(dir, "nope.jsonl")]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^error: .*nope\.jsonl: cannot read the manifest\n$/);
  });
});
