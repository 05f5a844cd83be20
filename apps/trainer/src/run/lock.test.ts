import { spawn } from "node:child_process";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "../test-helpers.ts";
import { parseHolder, takeLock } from "./lock.ts";

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** The pid of a process that has exited (so no live process has it, until the pid is reused). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((done) => child.once("exit", done));
  return child.pid as number;
}

const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const LOCK = pathToFileURL(fileURLToPath(new URL("./lock.ts", import.meta.url))).href;

/**
 * A separate process that waits for `go`, then tries the lock; prints `got` (and holds the lock
 * until `release` exists) or `busy: <message>`.
 */
function contender(dir: string): Promise<string> {
  const script = `
    import { existsSync, writeFileSync } from "node:fs";
    const { takeLock } = await import(${JSON.stringify(LOCK)});
    const dir = ${JSON.stringify(dir)};
    writeFileSync(dir + "/ready-" + process.pid, "");
    while (!existsSync(dir + "/go")) await new Promise((r) => setTimeout(r, 2));
    try {
      const release = await takeLock(dir, dir + "/run.lock");
      process.stdout.write("got");
      while (!existsSync(dir + "/release")) await new Promise((r) => setTimeout(r, 5));
      await release();
    } catch (error) {
      process.stdout.write("busy: " + error.message);
    }`;
  const child = spawn(process.execPath, ["--import", TSX, "--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((done) => child.once("close", () => done(out)));
}

describe("run.lock", () => {
  it("two takes at once in one process → exactly one gets the lock, the other is refused", async () => {
    const dir = tempDir("lock-");
    const path = join(dir, "run.lock");
    const results = await Promise.allSettled([takeLock(dir, path), takeLock(dir, path)]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect((refused.reason as Error).message).toBe(`${dir} is already in use by this process`);
    const release = (
      results.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<() => Promise<void>>
    ).value;
    expect(parseHolder(await readFile(path, "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });
    await release();
    expect(await exists(path)).toBe(false);
  });

  it("a lock left by a process that is gone → taken over; this process's record replaces it", async () => {
    const dir = tempDir("lock-");
    const path = join(dir, "run.lock");
    const pid = await deadPid();
    await writeFile(path, `${JSON.stringify({ pid, host: hostname(), startedAt: "", token: "x" })}\n`);
    const release = await takeLock(dir, path);
    expect(parseHolder(await readFile(path, "utf8"))?.pid).toBe(process.pid);
    await release();
    // An older trainer's lock (a bare pid) is understood too.
    await writeFile(path, `${pid}\n`);
    await (await takeLock(dir, path))();
  });

  it("a stale lock and a takeover file left by a crash mid-takeover → both cleared, the lock taken", async () => {
    const dir = tempDir("lock-");
    const path = join(dir, "run.lock");
    const pid = await deadPid();
    await writeFile(path, `${pid}\n`);
    await writeFile(
      `${path}.takeover`,
      `${JSON.stringify({ pid, host: hostname(), startedAt: "", token: "t" })}\n`,
    );
    const release = await takeLock(dir, path);
    expect(parseHolder(await readFile(path, "utf8"))?.pid).toBe(process.pid);
    expect(await exists(`${path}.takeover`)).toBe(false);
    await release();
  });

  it("a lock of a live process, or of a process on another host → refused with the holder, the lock kept", async () => {
    const dir = tempDir("lock-");
    const path = join(dir, "run.lock");
    await writeFile(path, `${process.ppid}\n`);
    await expect(takeLock(dir, path)).rejects.toThrow(`${dir} is in use by process ${process.ppid}; wait`);
    const other = `${JSON.stringify({ pid: 1, host: "elsewhere", startedAt: "", token: "y" })}\n`;
    await writeFile(path, other);
    await expect(takeLock(dir, path)).rejects.toThrow(
      `${dir} is in use by process 1 on host elsewhere; wait for it to finish (or delete ${path} if no trainer runs there)`,
    );
    expect(await readFile(path, "utf8")).toBe(other);
  });

  it("release after the lock was taken over by another → the other's lock is left alone", async () => {
    const dir = tempDir("lock-");
    const path = join(dir, "run.lock");
    const release = await takeLock(dir, path);
    await writeFile(path, "someone else\n");
    await release();
    expect(await readFile(path, "utf8")).toBe("someone else\n");
  });

  it("four processes racing for a stale lock → exactly one gets it, three are refused naming its pid", async () => {
    const dir = tempDir("lock-");
    await writeFile(join(dir, "run.lock"), `${await deadPid()}\n`);
    const racing = Array.from({ length: 4 }, () => contender(dir));
    const ready = async () => (await readdir(dir)).filter((name) => name.startsWith("ready-")).length;
    while ((await ready()) < 4) await new Promise((done) => setTimeout(done, 20));
    await writeFile(join(dir, "go"), "");
    // The winner holds the lock until the losers have answered (or, were there two winners, 30 s).
    let answered = 0;
    const losers = new Promise<void>((done) => {
      for (const output of racing) {
        output.then(() => {
          if (++answered === 3) done();
        });
      }
    });
    await Promise.race([losers, new Promise((done) => setTimeout(done, 30_000))]);
    await writeFile(join(dir, "release"), "");
    const outputs = await Promise.all(racing);
    expect(outputs.filter((o) => o === "got")).toHaveLength(1);
    const refused = outputs.filter((o) => o.startsWith("busy: "));
    expect(refused).toHaveLength(3);
    for (const line of refused)
      expect(line).toMatch(new RegExp(`^busy: ${dir} is in use by process \\d+; wait`));
    expect(await exists(join(dir, "run.lock"))).toBe(false);
  }, 60_000);
});
