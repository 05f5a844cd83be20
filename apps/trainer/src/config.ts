import { readFile } from "node:fs/promises";
import { dirname, extname, isAbsolute, relative, resolve } from "node:path";
import type { Command, Option } from "commander";
import { UsageError } from "./errors.ts";

/** Settings a config file may not set: they steer this invocation, not the run. */
const NOT_IN_CONFIG = new Set(["config", "resume", "debug", "help", "overwrite", "printEnv", "profile"]);

/** Settings a config file may give as an object of values by column. */
const OBJECT_KEYS = new Set(["maxCategories"]);

/** A config file key (`batch-size`, `batch_size`, `batchSize`) as its flag's attribute name. */
export function camel(key: string): string {
  return key.replace(/[-_]([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Reads a JSON or YAML config file into a plain object; errors name the file. */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new UsageError(`--config ${path}: no such file`);
  }
  let value: unknown;
  try {
    if ([".yaml", ".yml"].includes(extname(path).toLowerCase())) {
      const { parse } = await import("yaml");
      value = parse(text);
    } else {
      value = JSON.parse(text);
    }
  } catch (error) {
    const kind = extname(path).toLowerCase().startsWith(".y") ? "YAML" : "JSON";
    throw new UsageError(`${path}: not valid ${kind} (${(error as Error).message.split("\n")[0]})`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UsageError(`${path}: expected an object of settings like {"data": "train.csv", "label": "y"}`);
  }
  return value as Record<string, unknown>;
}

function optionFor(command: Command, key: string): Option | undefined {
  return command.options.find((option) => option.attributeName() === key);
}

/** A config value through the flag's own parser, so a file gets the same checks and messages as the command line. */
function parseValue(option: Option, value: unknown, file: string, key: string): unknown {
  const flag = option.long ?? key;
  const takesValue = option.required || option.optional;
  if (!takesValue) {
    if (typeof value !== "boolean")
      throw new UsageError(`${file}: "${key}" must be true or false, got ${JSON.stringify(value)}`);
    return value;
  }
  if (
    OBJECT_KEYS.has(option.attributeName()) &&
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value)
  ) {
    // {"origin": 500, "*": 64} reads as the flag's origin=500,64.
    value = Object.entries(value).map(([name, n]) => (name === "*" ? String(n) : `${name}=${String(n)}`));
  }
  if (value === null || (typeof value === "object" && !Array.isArray(value))) {
    throw new UsageError(
      `${file}: "${key}" (${flag}) must be a number, a string or a list, got ${JSON.stringify(value)}`,
    );
  }
  const text = Array.isArray(value) ? value.join(",") : String(value);
  const parse = (option as unknown as { parseArg?: (value: string, previous: unknown) => unknown }).parseArg;
  try {
    return parse ? parse(text, undefined) : text;
  } catch (error) {
    // The parser speaks of the flag (`--epochs must be …`); the value came from the file's key.
    if (error instanceof UsageError && error.message.startsWith(`${flag} `)) {
      throw new UsageError(`${file}: "${key}" ${error.message.slice(flag.length + 1)}`);
    }
    throw error;
  }
}

/**
 * Merges a config file under the command line: a setting from the file applies unless the same
 * flag was given on the command line. Keys are flag names in camelCase (`batchSize`) or
 * kebab-case (`batch-size`); `pathKeys` are resolved relative to the file's folder.
 * Throws `UsageError` for an unknown key or a bad value, naming the file and the key.
 */
export function mergeConfig<T extends Record<string, unknown>>(
  command: Command,
  flags: T,
  config: Record<string, unknown>,
  file: string,
  pathKeys: readonly string[],
): T {
  const merged: Record<string, unknown> = { ...flags };
  for (const [rawKey, value] of Object.entries(config)) {
    const key = camel(rawKey);
    const option = NOT_IN_CONFIG.has(key) ? undefined : optionFor(command, key);
    if (!option) {
      const known = command.options
        .map((o) => o.attributeName())
        .filter((name) => !NOT_IN_CONFIG.has(name))
        .join(", ");
      throw new UsageError(`${file}: unknown setting ${JSON.stringify(rawKey)}; known settings: ${known}`);
    }
    if (command.getOptionValueSource(key) === "cli") continue;
    let parsed = parseValue(option, value, file, rawKey);
    if (pathKeys.includes(key) && typeof parsed === "string" && !isAbsolute(parsed)) {
      parsed = resolve(dirname(file), parsed);
    }
    merged[key] = parsed;
  }
  return merged as T;
}

/** Rewrites `pathKeys` of `config` relative to `folder`, so a saved config can be read from where it lies. */
export function relativePaths<T extends object>(config: T, folder: string, pathKeys: readonly string[]): T {
  const out: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const key of pathKeys) {
    const value = out[key];
    if (typeof value === "string") out[key] = relative(folder, resolve(value)) || ".";
  }
  return out as T;
}
