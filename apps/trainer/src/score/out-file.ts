import { createWriteStream, type WriteStream } from "node:fs";
import { realpath, rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { finished } from "node:stream/promises";
import { outputKind } from "../outputs.ts";

/** Where a command's output text goes; `commit` makes it final, `abort` leaves nothing half-written behind. */
export interface OutputSink {
  /** True when the text goes to standard output (so messages must go to stderr). */
  readonly toStdout: boolean;
  write(text: string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

/** Standard output as the command's `io` has it: a stream with backpressure, or a bare writer in tests. */
export interface StdoutLike {
  write(text: string): unknown;
}

async function put(stream: WriteStream, text: string): Promise<void> {
  if (stream.write(text)) return;
  await new Promise<void>((done, fail) => {
    const settle = (error?: Error) => {
      stream.off("drain", settle);
      stream.off("error", settle);
      if (error) fail(error);
      else done();
    };
    stream.on("drain", settle);
    stream.on("error", settle);
  });
}

function streamSink(
  stream: WriteStream,
  commit: () => Promise<void>,
  cleanup: () => Promise<void>,
): OutputSink {
  let failure: Error | null = null;
  stream.on("error", (error) => {
    failure ??= error;
  });
  return {
    toStdout: false,
    async write(text) {
      if (failure) throw failure;
      await put(stream, text);
    },
    async commit() {
      stream.end();
      await finished(stream);
      if (failure) throw failure;
      await commit();
    },
    async abort() {
      stream.destroy();
      await cleanup();
    },
  };
}

/**
 * Opens `path` for writing by its kind (see `outputKind`): `-` or the process's own standard output
 * writes to `stdout`; a device, pipe or socket is written in place; a regular or new file is written
 * to a temporary sibling of its real path (so a symlink's target is replaced, not the link) and
 * renamed over it on `commit`. Call `checkOutputs` first: this does not ask before replacing.
 */
export async function openOutput(path: string, stdout: StdoutLike): Promise<OutputSink> {
  const kind = await outputKind(path);
  if (kind === "stdout") {
    const target = stdout as StdoutLike & { once?: (event: "drain", listener: () => void) => unknown };
    return {
      toStdout: true,
      async write(text) {
        if (target.write(text) === false && target.once)
          await new Promise<void>((done) => target.once?.("drain", done));
      },
      async commit() {},
      async abort() {},
    };
  }
  if (kind === "in-place") {
    const stream = createWriteStream(path, { flags: "w" });
    return streamSink(
      stream,
      async () => {},
      async () => {},
    );
  }
  const real = await realpath(path).catch(() => resolve(path));
  const temp = join(dirname(real), `.${basename(real)}.tmp-${process.pid}`);
  const stream = createWriteStream(temp, { flags: "wx" });
  return streamSink(
    stream,
    () => rename(temp, real),
    () => rm(temp, { force: true }),
  );
}
