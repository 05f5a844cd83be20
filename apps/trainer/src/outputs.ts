import { fstat, type Stats } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { resolveCsvFiles } from "@stepwise/data/internals";
import { UsageError } from "./errors.ts";
import { RUN_FILES } from "./run/folder.ts";
import type { TrainConfig } from "./train/config.ts";

/**
 * What may happen to an output file that already exists: `refuse` unless `--overwrite` was given,
 * `replace` (a resumed run rewrites its own rejects), `append` (a resumed run continues its manifest).
 */
export type ExistingPolicy = "refuse" | "replace" | "append";

/** One file a command writes, as the user named it. */
export interface OutputFile {
  /** The flag that named it, for messages (`--rejects`). */
  flag: string;
  path: string;
  existing: ExistingPolicy;
  /** `-` means standard output (predict --out). */
  allowStdout?: boolean;
}

/** Files a command reads: named for messages (`the training data (--data)`). */
export interface InputFiles {
  what: string;
  files: string[];
  /** Folders whose data files are read (a `--data DIR`): a new data file written there would become an input. */
  folders?: string[];
}

/** Data file names a directory of part files contributes (as the data package lists them). */
const DATA_FILE = /^[^._].*\.(csv|tsv|txt)(\.gz)?$/i;

const statOrNull = (path: string): Promise<Stats | null> => stat(path).catch(() => null);
const sameFile = (a: Pick<Stats, "dev" | "ino">, b: Pick<Stats, "dev" | "ino">) =>
  a.dev === b.dev && a.ino === b.ino;

/**
 * How an output path is written: `stdout` for `-` and for a path that is this process's standard
 * output (`/dev/stdout`, `/proc/self/fd/1`); `in-place` for devices, pipes and sockets and anything
 * under /dev or /proc (a rename over them would replace the device node or link itself); `file`
 * for a regular file or a new one, written to a temporary sibling and renamed into place.
 */
export async function outputKind(path: string): Promise<"stdout" | "in-place" | "file"> {
  if (path === "-") return "stdout";
  const info = await statOrNull(path);
  if (info !== null) {
    const stdout = await new Promise<Stats | null>((done) =>
      fstat(1, (error, out) => done(error ? null : out)),
    );
    if (stdout !== null && sameFile(info, stdout)) return "stdout";
    if (!info.isFile()) return "in-place";
  }
  return /^\/(dev|proc)\//.test(resolve(path)) ? "in-place" : "file";
}

/**
 * The files and folders of a data spec (file, folder of part files or glob). A spec that does not
 * resolve gives none: reading the data reports that with its own message and fix.
 */
export async function dataInputs(what: string, spec: string | undefined): Promise<InputFiles> {
  if (spec === undefined) return { what, files: [] };
  const files = await resolveCsvFiles(spec).catch(() => [] as string[]);
  const info = await statOrNull(spec);
  return { what, files, folders: info?.isDirectory() ? [spec] : [] };
}

/** Files of `dir` and below (a run folder's model and checkpoint folders are small). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

/**
 * The files of a run folder that a command reads or that training writes: config, plan, schema,
 * fingerprint, status, history, curves, lock, and everything under model/ and checkpoint/. Other
 * files a user keeps there (a manifest, a rejects file) are not the run's.
 */
export async function runFolderInputs(dir: string): Promise<InputFiles> {
  const named = [
    RUN_FILES.config,
    RUN_FILES.plan,
    RUN_FILES.schema,
    RUN_FILES.fingerprint,
    RUN_FILES.history,
    RUN_FILES.status,
    RUN_FILES.curves,
    RUN_FILES.lock,
  ].map((name) => join(dir, name));
  const nested = [
    ...(await filesUnder(join(dir, RUN_FILES.model))),
    ...(await filesUnder(join(dir, RUN_FILES.checkpoint))),
  ];
  return { what: `a file of the run folder ${dir}`, files: [...named, ...nested] };
}

/** A one-line refusal naming the flag and the path. */
function refuse(output: OutputFile, reason: string): UsageError {
  return new UsageError(`${output.flag} ${output.path} ${reason}`);
}

/**
 * Checks every output of a command before anything is read or written, so that no output is ever
 * one of the command's inputs and nothing is lost:
 * - an output must not be an input file (same file by device and inode, so links and other
 *   spellings of the path count), nor a new data file inside a `--data` folder;
 * - no two outputs may be the same file;
 * - an output may not be a folder, and its parent folder must exist (or be one of `creates`,
 *   folders the command makes before writing, such as the run folder);
 * - an existing regular file is replaced only with `overwrite` (policy `refuse`), or per its policy;
 *   devices and pipes (`/dev/null`, a FIFO) are written in place and never count as existing files.
 * Throws `UsageError` (one line naming the flag and the path).
 * @example await checkOutputs([{ flag: "--out", path: "preds.csv", existing: "refuse" }], [await dataInputs("the data (--data)", "new.csv")], { overwrite: false })
 */
export async function checkOutputs(
  outputs: readonly OutputFile[],
  inputs: readonly InputFiles[],
  options: { overwrite: boolean; creates?: readonly string[] },
): Promise<void> {
  const inputStats: { what: string; path: string; info: Stats }[] = [];
  for (const input of inputs) {
    for (const path of input.files) {
      const info = await statOrNull(path);
      if (info) inputStats.push({ what: input.what, path, info });
    }
  }
  const creates = new Set((options.creates ?? []).map((dir) => resolve(dir)));
  const seen: { output: OutputFile; info: Stats | null; path: string }[] = [];
  for (const output of outputs) {
    if (output.allowStdout && output.path === "-") continue;
    const kind = await outputKind(output.path);
    if (kind === "stdout" && !output.allowStdout) throw refuse(output, "is standard output; give a file");
    const info = await statOrNull(output.path);
    if (info?.isDirectory()) throw refuse(output, "is a folder; give a file name");
    const input = info && inputStats.find((candidate) => sameFile(candidate.info, info));
    if (input) {
      throw refuse(
        output,
        `is ${input.what}${resolve(input.path) === resolve(output.path) ? "" : ` (${input.path})`}, which this command reads; give another file`,
      );
    }
    if (info === null) await checkNewFile(output, inputs, creates);
    const twin = seen.find((other) =>
      kind === "file" && info && other.info
        ? sameFile(info, other.info)
        : resolve(output.path) === other.path,
    );
    if (twin) throw refuse(output, `is also ${twin.output.flag}; give each output its own file`);
    seen.push({ output, info, path: resolve(output.path) });
    if (kind === "file" && info?.isFile() && output.existing === "refuse" && !options.overwrite) {
      throw refuse(output, "already exists; pass --overwrite to replace it, or give another file");
    }
  }
}

/** A file to be created: its folder must exist, and it must not land among the data's part files. */
async function checkNewFile(output: OutputFile, inputs: readonly InputFiles[], creates: Set<string>) {
  const parent = dirname(resolve(output.path));
  const folder = await statOrNull(parent);
  if (folder === null && !creates.has(parent)) {
    throw refuse(
      output,
      `cannot be written: folder ${dirname(output.path)} does not exist; create it first or give another path`,
    );
  }
  if (folder !== null && !folder.isDirectory())
    throw refuse(output, `cannot be written: ${dirname(output.path)} is not a folder`);
  if (folder === null || !DATA_FILE.test(basename(output.path))) return;
  for (const input of inputs) {
    for (const dataFolder of input.folders ?? []) {
      const info = await statOrNull(dataFolder);
      if (info && sameFile(info, folder)) {
        throw refuse(
          output,
          `would be a new data file in ${dataFolder}, which ${input.what} reads; write it outside that folder`,
        );
      }
    }
  }
}

/** The folder `dir` and every folder above it: what creating `dir` (mkdir -p) brings into being. */
export function foldersCreatedBy(dir: string): string[] {
  const out: string[] = [];
  for (let current = resolve(dir); ; current = dirname(current)) {
    out.push(current);
    if (dirname(current) === current) return out;
  }
}

/** Where a training-like command's outputs go: a new run (folder to be created), a resumed one, or none (inspect). */
export type RunOutputsContext =
  | { kind: "new"; runDir?: string; configFile?: string }
  | { kind: "resume"; runDir: string };

/**
 * `checkOutputs` for the outputs of a training config (`--rejects`, `--manifest`) against every
 * file the run reads: its data, validation data, model architecture, config file and, when
 * resuming, the run folder's own files. A resumed run replaces its rejects file and appends to
 * its manifest; a new one refuses existing files unless `overwrite`. Throws `UsageError`.
 */
export async function checkRunOutputs(
  config: Pick<TrainConfig, "data" | "validationData" | "modelJson" | "rejects" | "manifest">,
  context: RunOutputsContext,
  overwrite: boolean,
): Promise<void> {
  const resuming = context.kind === "resume";
  const outputs: OutputFile[] = [];
  if (config.rejects !== undefined)
    outputs.push({ flag: "--rejects", path: config.rejects, existing: resuming ? "replace" : "refuse" });
  if (config.manifest !== undefined)
    outputs.push({ flag: "--manifest", path: config.manifest, existing: resuming ? "append" : "refuse" });
  if (outputs.length === 0) return;
  const inputs = [
    await dataInputs("the training data (--data)", config.data),
    await dataInputs("the validation data (--validation-data)", config.validationData),
    { what: "the model architecture (--model-json)", files: config.modelJson ? [config.modelJson] : [] },
  ];
  if (context.kind === "new" && context.configFile !== undefined)
    inputs.push({ what: "the config file (--config)", files: [context.configFile] });
  if (resuming) inputs.push(await runFolderInputs(context.runDir));
  const creates = context.kind === "new" && context.runDir ? foldersCreatedBy(context.runDir) : [];
  await checkOutputs(outputs, inputs, { overwrite, creates });
}

/**
 * A one-line warning when the validation data shares files with the training data (same file by
 * device and inode, however spelled): validation then measures data the model trains on. Null
 * when they share none or either is missing (reading it reports that).
 */
export async function validationOverlap(
  data: string,
  validationData: string | undefined,
): Promise<string | null> {
  if (validationData === undefined) return null;
  const training = await dataInputs("--data", data);
  const validation = await dataInputs("--validation-data", validationData);
  const stats = await Promise.all(training.files.map(statOrNull));
  const shared: string[] = [];
  for (const file of validation.files) {
    const info = await statOrNull(file);
    if (info && stats.some((other) => other !== null && sameFile(other, info))) shared.push(file);
  }
  if (shared.length === 0) return null;
  const what =
    shared.length === validation.files.length && shared.length === training.files.length
      ? `is the training data (--data ${data})`
      : `shares ${shared.length} of its ${validation.files.length} files with the training data (--data ${data}), e.g. ${shared[0]}`;
  return `warning: --validation-data ${validationData} ${what}: validation then measures rows the model trains on`;
}
