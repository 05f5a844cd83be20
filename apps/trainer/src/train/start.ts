import { isAbsolute, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { camel, mergeConfig, readConfigFile, relativePaths } from "../config.ts";
import { describeRankEnv } from "../distributed/env.ts";
import { applyRankEnv } from "../distributed/join.ts";
import { InterruptedError, RunError, SIGNAL_EXIT_CODES, UsageError } from "../errors.ts";
import { parseJson } from "../files.ts";
import { checkRunOutputs, validationOverlap } from "../outputs.ts";
import { readCheckpoint } from "../run/checkpoint.ts";
import { CHECKSUMS_FILE, verifyFiles } from "../run/checksums.ts";
import { fingerprintData } from "../run/fingerprint.ts";
import {
  createRunFolder,
  lockRun,
  openRun,
  RUN_FILES,
  readRunJson,
  writeJson,
  writeStatus,
  writeStatusSync,
} from "../run/folder.ts";
import { releaseLocksSync } from "../run/lock.ts";
import { formatProfile, PhaseRecorder, writeProfile } from "../run/profile.ts";
import { defaultRunDir, PATH_KEYS, resolveTrainConfig, type TrainConfig } from "./config.ts";
import { collectInputs, type Inputs, verifyInputs } from "./inputs.ts";
import { executeRun, type Prepared, prepareRun, RESUME_FILES, type TrainIo, writeRunStart } from "./run.ts";
import { resolveShuffle } from "./sources.ts";

/** The only flags `--resume` takes: everything else comes from the run's config.json. */
const RESUME_FLAGS = new Set(["resume", "backend", "loader", "profile"]);
/** A data-parallel run may resume on another number of ranks: its pass is dealt anew. */
const RANK_FLAGS = new Set(["numShards", "shardIndex"]);

/**
 * Runs `work` as this rank of the run (or as the one process): afterwards the ranks meet once
 * more and disconnect; on a failure the connections drop at once, so the other ranks stop too.
 */
async function asRank<T>(prepared: Prepared, io: TrainIo, work: () => Promise<T>): Promise<T> {
  const { parallel } = prepared;
  if (!parallel) return work();
  let result: T;
  try {
    result = await work();
    await parallel.collective.close();
  } catch (error) {
    parallel.collective.abort();
    throw error;
  }
  const { ms, calls } = parallel.clock;
  if (calls > 0) io.stdout.write(`All-reduce: ${(ms / calls).toFixed(2)} ms per step over ${calls} steps\n`);
  return result;
}

/** Rank 0 of a data-parallel run records its number of ranks (a resume may change it). */
async function recordRanks(dir: string, prepared: Prepared): Promise<void> {
  await writeJson(join(dir, RUN_FILES.ranks), { version: 1, worldSize: prepared.parallel?.worldSize ?? 1 });
}

type Signal = keyof typeof SIGNAL_EXIT_CODES;

/**
 * While installed, SIGINT and SIGTERM abort the returned signal (training stops at the next step
 * boundary, so a checkpoint being written is finished); a second one stops the process at once,
 * recording `interrupted` and releasing the lock first.
 */
function stopOnSignals(dir: string): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (name: Signal) => {
    if (!controller.signal.aborted) {
      controller.abort(new InterruptedError(name));
      return;
    }
    writeStatusSync(dir, { status: "interrupted", error: `interrupted by ${name} (twice)` });
    releaseLocksSync();
    process.stderr.write(
      `interrupted by ${name} twice: ${dir} stopped at once; continue with train --resume ${dir}\n`,
    );
    process.exit(SIGNAL_EXIT_CODES[name]);
  };
  const names = Object.keys(SIGNAL_EXIT_CODES) as Signal[];
  for (const name of names) process.on(name, handler);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const name of names) process.off(name, handler);
    },
  };
}

/**
 * Runs `work` holding the run folder's lock; when it throws, the run is marked failed (one
 * line) so it never looks complete, and the error goes on to the CLI. SIGINT and SIGTERM abort
 * the signal `work` gets; the run is then marked `interrupted` and an `InterruptedError` (exit
 * code 130 or 143) goes on.
 */
export async function inRunFolder<T>(dir: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const release = await lockRun(dir);
  const signals = stopOnSignals(dir);
  try {
    return await work(signals.signal);
  } catch (error) {
    if (error instanceof InterruptedError) {
      await writeStatus(dir, { status: "interrupted", error: error.message }).catch(() => {});
      throw new InterruptedError(
        error.signal,
        `interrupted by ${error.signal}: ${dir} keeps its last checkpoint; continue with train --resume ${dir}`,
      );
    }
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    await writeStatus(dir, { status: "failed", error: message }).catch(() => {});
    throw error;
  } finally {
    signals.dispose();
    await release();
  }
}

/** A path as the user would write it: relative to the working directory when inside it. */
function shortPath(path: string): string {
  const fromHere = relative(process.cwd(), resolve(path));
  return fromHere === "" || fromHere.startsWith("..") || isAbsolute(fromHere) ? resolve(path) : fromHere;
}

const RECORD_FIX =
  "fix the row, or leave bad rows out with --on-bad-record skip (or quarantine them with --rejects FILE)";

/** What to do about a data error, by its code; the data package says what is wrong, this says which flag helps. */
const DATA_FIXES: Partial<Record<string, string>> = {
  "file-not-found": "check the path given to --data / --validation-data",
  "no-files": "check the path given to --data / --validation-data",
  "missing-column": "check --label, --features, --categorical and --ignore against the header",
  "no-data": "give a file with data rows below its header",
  "field-count": RECORD_FIX,
  "invalid-utf8": RECORD_FIX,
  "bad-number": RECORD_FIX,
  "missing-value": RECORD_FIX,
  "missing-label": RECORD_FIX,
  "bad-label": RECORD_FIX,
  "too-many-bad-rows": "fix those rows, or raise --max-bad-rows",
  "not-indexable": "use --shuffle buffer to stream it",
};

/** Appends the fix to a data error's one-line message (the message is what the CLI prints). */
async function withFix<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const fix =
      error instanceof Error && error.name === "DataError"
        ? DATA_FIXES[(error as { code?: string }).code ?? ""]
        : undefined;
    if (fix && error instanceof Error && !error.message.includes(fix))
      error.message = `${error.message}; ${fix}`;
    throw error;
  }
}

/** A recorder whose first phase is everything before the command began: the process start and imports. */
function phasesSinceStart(): PhaseRecorder {
  const phases = new PhaseRecorder();
  phases.add("start", phases.now());
  return phases;
}

/**
 * Ends the command's profile: the writer records it as the run folder's profile.json, and with
 * `--profile` its table is printed.
 */
async function finishProfile(
  phases: PhaseRecorder,
  dir: string | null,
  flags: Record<string, unknown>,
  io: TrainIo,
): Promise<void> {
  const profile = phases.report();
  if (dir !== null) await writeProfile(dir, profile);
  if (flags.profile === true) io.stdout.write(`${formatProfile(profile)}\n`);
}

/** Starts a new run from flags (and a --config file). */
export async function startRun(command: Command, flags: Record<string, unknown>, io: TrainIo): Promise<void> {
  const phases = phasesSinceStart();
  if (flags.printEnv === true) {
    io.stdout.write(`${describeRankEnv(applyRankEnv({ numShards: 1, shardIndex: 0 }, () => false))}\n`);
    return;
  }
  let merged = flags;
  // Keys the config file sets, even to a flag's default value (e.g. "epochs": 10).
  const inFile = new Set<string>();
  if (typeof flags.config === "string") {
    const file = await readConfigFile(flags.config);
    for (const key of Object.keys(file)) inFile.add(camel(key));
    merged = mergeConfig(command, flags, file, flags.config, PATH_KEYS);
  }
  const explicit = (key: string) => command.getOptionValueSource(key) === "cli" || merged[key] !== flags[key];
  const { config, seedChosen } = resolveTrainConfig(merged, explicit, {
    epochsGiven: explicit("epochs") || inFile.has("epochs"),
  });
  applyRankEnv(config, explicit);
  if (seedChosen && config.numShards > 1 && process.env.MASTER_ADDR && process.env.MASTER_PORT) {
    throw new UsageError(
      "--seed is required when several ranks train together: every rank must start from the same weights and order",
    );
  }
  for (const key of PATH_KEYS) {
    const value = config[key];
    if (typeof value === "string") (config as unknown as Record<string, unknown>)[key] = shortPath(value);
  }
  const requested = typeof merged.out === "string" ? merged.out : defaultRunDir(config.data, new Date());
  // Before anything is read or written: no output may be an input, or replace a file unasked.
  await checkRunOutputs(
    config,
    {
      kind: "new",
      runDir: requested,
      ...(typeof flags.config === "string" ? { configFile: flags.config } : {}),
    },
    flags.overwrite === true,
  );
  const overlap = await validationOverlap(config.data, config.validationData);
  if (overlap) io.stderr.write(`${overlap}\n`);
  // Saved resolved, so a resume (or the config reused) reads the data the same way.
  config.shuffle = await withFix(resolveShuffle(config));
  phases.add("config", phases.now() - phases.total());
  // The data's content hash (for fingerprint.json) reads every byte: started now, it runs while
  // this thread would otherwise wait (the worker thread and the backend starting). Ranks > 0 need none.
  const dataPrints = config.numShards > 1 ? null : fingerprintData(config.data);
  dataPrints?.catch(() => {}); // a failure is reported where it is awaited, if the run gets there
  const prepared = await withFix(prepareRun(config, io, null, phases));
  if (prepared.parallel && prepared.parallel.rank > 0) {
    await asRank(prepared, io, () =>
      executeRun(config, prepared, { dir: requested, checkpoint: null }, null, io),
    );
    await finishProfile(phases, null, flags, io);
    return;
  }
  if (seedChosen)
    io.stdout.write(
      `Seed: ${config.seed} (chosen at random; pass --seed ${config.seed} to repeat this run)\n`,
    );
  const runStart = phases.now();
  const dir = await createRunFolder(requested);
  if (dir !== requested) io.stdout.write(`${requested} already holds files: this run goes to ${dir}\n`);
  await inRunFolder(dir, async (signal) => {
    // Saved with paths relative to the run folder, so config.json reads like any --config file.
    const savedConfig = relativePaths(config, resolve(dir), PATH_KEYS);
    const inputs = await collectInputs(config, savedConfig, dataPrints ?? undefined);
    await writeRunStart(dir, savedConfig, prepared, inputs);
    if (prepared.parallel) await recordRanks(dir, prepared);
    phases.add("runStart", phases.now() - runStart);
    await asRank(prepared, io, () =>
      executeRun(config, prepared, { dir, checkpoint: null }, inputs, io, signal),
    );
    await finishProfile(phases, dir, flags, io);
  });
}

/** Continues the run named by --resume with its saved config, after checking its inputs. */
export async function resumeRun(
  command: Command,
  flags: Record<string, unknown>,
  io: TrainIo,
): Promise<void> {
  const phases = phasesSinceStart();
  const dir = flags.resume as string;
  const dataParallel = await readRunJson<unknown>(dir, RUN_FILES.ranks).then(
    () => true,
    () => false,
  );
  const given = command.options
    .map((o) => o.attributeName())
    .filter(
      (key) =>
        command.getOptionValueSource(key) === "cli" &&
        !RESUME_FLAGS.has(key) &&
        !(dataParallel && RANK_FLAGS.has(key)),
    );
  if (given.length > 0) {
    const flag = command.options.find((o) => o.attributeName() === given[0])?.long ?? given[0];
    if (given[0] === "numShards" || given[0] === "shardIndex") {
      // The data could be re-dealt (indexed states allow it), but the run's model and checkpoint
      // are one rank's: ranks here share no weights, and a new rank would have no checkpoint.
      throw new UsageError(
        `--resume keeps the run's --num-shards and --shard-index: its model and checkpoint belong to that rank's share of the data; drop ${flag}, or start a new run with --out`,
      );
    }
    throw new UsageError(
      `--resume continues a run with its saved config; drop ${flag}, or start a new run with --out`,
    );
  }
  const run = await openRun(dir, "--resume");
  if (run.status?.status === "complete") {
    throw new RunError(
      `--resume ${dir}: the run is already complete; start a new run with --out to train again`,
    );
  }
  const configPath = join(dir, RUN_FILES.config);
  const files = await verifyFiles(dir, RESUME_FILES);
  if (!files.ok) {
    throw new RunError(
      files.missing
        ? `cannot resume ${dir}: ${CHECKSUMS_FILE} is missing, so its files cannot be checked (the run stopped before training began, or an older trainer started it); start a new run with --out`
        : files.changed
          ? `cannot resume ${dir}: its ${files.changed} changed since the run started; restore it, or start a new run with --out`
          : `cannot resume ${dir}: ${files.problem}; restore it, or start a new run with --out`,
    );
  }
  const parse = (name: string) => parseJson<unknown>(join(dir, name), files.contents.get(name) as Uint8Array);
  const saved = parse(RUN_FILES.fingerprint) as Inputs;
  const schema = parse(RUN_FILES.schema);
  // The saved config resolves like any config file: its paths are relative to the run folder.
  let merged: Record<string, unknown> = { ...flags };
  for (const option of command.options) {
    const key = option.attributeName();
    if (command.getOptionValueSource(key) !== "cli") delete merged[key];
  }
  merged = mergeConfig(command, merged, run.config, configPath, PATH_KEYS);
  const { config } = resolveTrainConfig({ ...merged, seed: run.config.seed }, () => false);
  // Neither changes which batches come when, so a resume may pick them anew.
  if (command.getOptionValueSource("backend") === "cli")
    config.backend = flags.backend as TrainConfig["backend"];
  if (command.getOptionValueSource("loader") === "cli") config.loader = flags.loader as TrainConfig["loader"];
  if (dataParallel) {
    // The ranks now running decide the deal (one process when nothing says otherwise).
    const cli = (key: string) => command.getOptionValueSource(key) === "cli";
    config.numShards = cli("numShards") ? (flags.numShards as number) : 1;
    config.shardIndex = cli("shardIndex") ? (flags.shardIndex as number) : 0;
    applyRankEnv(config, cli);
  }
  verifyInputs(dir, saved, await collectInputs(config, run.config));
  await checkRunOutputs(config, { kind: "resume", runDir: dir }, false);
  phases.add("config", phases.now() - phases.total());
  const prepared = await withFix(prepareRun(config, io, schema, phases));
  const warn = (message: string) => io.stderr.write(`warning: ${message}\n`);
  if (prepared.parallel && prepared.parallel.rank > 0) {
    const checkpoint = await readCheckpoint(dir, warn);
    await asRank(prepared, io, () => executeRun(config, prepared, { dir, checkpoint }, null, io));
    await finishProfile(phases, null, flags, io);
    return;
  }
  await inRunFolder(dir, async (signal) => {
    const runStart = phases.now();
    const checkpoint = await readCheckpoint(dir, warn);
    if (checkpoint && checkpoint.state.configHash !== saved.configHash) {
      throw new RunError(
        `cannot resume ${dir}: its checkpoint belongs to another config; start a new run with --out`,
      );
    }
    if (!checkpoint) io.stdout.write(`No checkpoint in ${dir} yet: training restarts from its first epoch\n`);
    await writeStatus(dir, { status: "running" });
    if (dataParallel) await recordRanks(dir, prepared);
    phases.add("runStart", phases.now() - runStart);
    await asRank(prepared, io, () => executeRun(config, prepared, { dir, checkpoint }, saved, io, signal));
    await finishProfile(phases, dir, flags, io);
  });
}
