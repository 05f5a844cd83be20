import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { startedByPackageManager } from "./parent-watch.ts";
import { REPO_ROOT, tempDir } from "./test-helpers.ts";

/** pnpm as this test run was started with it (npx in CI), else from PATH. */
function pnpmCommand(): [string, string[]] {
  const execPath = process.env.npm_execpath;
  return execPath?.includes("pnpm") ? [process.execPath, [execPath]] : ["pnpm", []];
}

/** Pids of the live processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid …; comm may hold spaces, so read after its closing parenthesis.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // the process ended while being read
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("stopping with the package manager that started the trainer", () => {
  it("npm_lifecycle_event set (a package-manager script) → watched; unset (a shell, nohup) → not", () => {
    expect(startedByPackageManager({ npm_lifecycle_event: "trainer" })).toBe(true);
    expect(startedByPackageManager({})).toBe(false);
  });

  it.runIf(existsSync("/proc/self/stat"))(
    "pnpm trainer train killed with SIGKILL → the training process ends too, no orphan left",
    async () => {
      const dir = tempDir("stepwise-orphan-");
      const logPath = join(dir, "log.txt");
      const log = openSync(logPath, "w");
      const [command, prefix] = pnpmCommand();
      const args = ["trainer", "train", "--config", "examples/iris/train.json", "--epochs", "100000"];
      // Output to a file, not a pipe: a trainer that only stopped on a broken pipe would not count.
      const pnpm = spawn(command, [...prefix, ...args, "--out", join(dir, "run")], {
        cwd: REPO_ROOT,
        stdio: ["ignore", log, log],
      });
      closeSync(log);
      const pnpmPid = pnpm.pid as number;
      let trainers: number[] = [];
      onTestFinished(() => {
        for (const pid of [pnpmPid, ...trainers]) if (alive(pid)) process.kill(pid, "SIGKILL");
      });
      await until(() => readFileSync(logPath, "utf8").includes("Epoch 2/"), "training to start", 240_000);
      trainers = childrenOf(pnpmPid);
      expect(trainers.length).toBeGreaterThan(0);
      pnpm.kill("SIGKILL");
      await until(() => trainers.every((pid) => !alive(pid)), "the trainer to stop", 60_000);
      expect(readFileSync(logPath, "utf8")).toContain(
        "stepwise: stopping: the command that started it has ended",
      );
    },
    360_000,
  );
});
