// `trainer launch --nproc W <command …>`: W local ranks on one machine, as `torchrun --standalone`
// starts them: each gets the torchrun environment (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE,
// MASTER_ADDR=127.0.0.1, MASTER_PORT=a free port), its output is forwarded line by line with a
// `[rank r]` prefix, and the first rank to fail stops the others.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** A TCP port free on `host` right now (the OS picks it). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface LaunchOptions {
  nproc: number;
  /** The trainer command and flags every rank runs, e.g. `["train", "--data", "x.csv", …]`. */
  args: string[];
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** The environment the ranks inherit; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Port for the rendezvous; default a free one. */
  masterPort?: number;
  /** Milliseconds between asking a rank to stop (SIGTERM) and killing it (SIGKILL). */
  graceMs?: number;
}

/** Forwards `stream` line by line with `prefix`; the last partial line when it ends. */
function forward(stream: NodeJS.ReadableStream | null, prefix: string, out: LaunchOptions["stdout"]): void {
  if (!stream) return;
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const lines = (pending + chunk).split(/\r?\n|\r/);
    pending = lines.pop() ?? "";
    for (const line of lines) if (line !== "") out.write(`${prefix}${line}\n`);
  });
  stream.on("end", () => {
    if (pending !== "") out.write(`${prefix}${pending}\n`);
  });
}

/**
 * Runs the ranks and resolves to the launch's exit code: 0 when every rank exits 0, else the
 * first failing rank's code (1 for a signal), after the other ranks were stopped.
 */
export async function launch(options: LaunchOptions): Promise<number> {
  const masterPort = options.masterPort ?? (await freePort());
  const cli = fileURLToPath(new URL("../cli.ts", import.meta.url));
  const graceMs = options.graceMs ?? 5_000;
  const children: ChildProcess[] = [];
  let firstFailure: number | null = null;
  const stopAll = () => {
    for (const child of children) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill("SIGTERM");
      setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }, graceMs).unref();
    }
  };
  const exits = Array.from({ length: options.nproc }, (_, rank) => {
    const child = spawn(process.execPath, [...process.execArgv, cli, ...options.args], {
      env: {
        ...(options.env ?? process.env),
        RANK: String(rank),
        WORLD_SIZE: String(options.nproc),
        LOCAL_RANK: String(rank),
        LOCAL_WORLD_SIZE: String(options.nproc),
        MASTER_ADDR: "127.0.0.1",
        MASTER_PORT: String(masterPort),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    forward(child.stdout, `[rank ${rank}] `, options.stdout);
    forward(child.stderr, `[rank ${rank}] `, options.stderr);
    return new Promise<void>((resolve) => {
      child.once("error", (error) => {
        options.stderr.write(`[rank ${rank}] cannot start: ${error.message}\n`);
        firstFailure ??= 1;
        stopAll();
        resolve();
      });
      child.once("close", (code, signal) => {
        if (code !== 0 && firstFailure === null) {
          firstFailure = code ?? 1;
          options.stderr.write(
            `launch: rank ${rank} ${signal ? `was killed (${signal})` : `exited with code ${code}`}; stopping the other ranks\n`,
          );
          stopAll();
        }
        resolve();
      });
    });
  });
  const onSignal = () => {
    firstFailure ??= 130;
    stopAll();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    await Promise.all(exits);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return firstFailure ?? 0;
}
