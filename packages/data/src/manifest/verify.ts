import { type Entry, load, Problems } from "./read.ts";

/** How one pass was covered, over all ranks' manifests. */
export interface PassCoverage {
  pass: number;
  /** Rows trained on, padding excluded. */
  rows: number;
  /** Distinct rows among them. */
  distinctRows: number;
  /** Padding repeats (counted, not visits). */
  paddingRows: number;
  /** Usable rows the pass never showed: 0 for a complete pass without dropping. */
  missingRows: number;
  /** A later pass follows, or every row was seen. */
  complete: boolean;
}

/** What `verifyManifest` found; `ok` when `problems` is empty. */
export interface ManifestReport {
  ok: boolean;
  /** One line each, `file:line: what` where it applies (the first 50). */
  problems: string[];
  numSamples: number | null;
  /** Distinct (rank, step) entries. */
  steps: number;
  passes: PassCoverage[];
  /** Steps compared with the reference and found equal (rows and hash). */
  matchingSteps: number | null;
}

/** Per pass: rows, repeats beyond padding, padding of rows the pass never had, coverage. */
function coverage(entries: Entry[], numSamples: number | null, problems: Problems): PassCoverage[] {
  const byPass = new Map<number, Entry[]>();
  for (const entry of entries) {
    const list = byPass.get(entry.pass) ?? [];
    list.push(entry);
    byPass.set(entry.pass, list);
  }
  const passes = [...byPass.keys()].sort((a, b) => a - b);
  const last = passes.at(-1);
  return passes.map((pass) => {
    const list = byPass.get(pass) as Entry[];
    const firstAt = new Map<number, string>();
    let rows = 0;
    let paddingRows = 0;
    for (const entry of list) {
      const visits = entry.rows.length - entry.padding;
      for (let k = 0; k < visits; k++) {
        const row = entry.rows[k] as number;
        rows++;
        const before = firstAt.get(row);
        if (before === undefined) firstAt.set(row, `step ${entry.step} (rank ${entry.rank})`);
        else
          problems.add(
            `${entry.where}: pass ${pass}: row ${row} appears again at step ${entry.step} (rank ${entry.rank}), first at ${before}`,
          );
      }
      paddingRows += entry.padding;
    }
    const distinctRows = firstAt.size;
    const complete = pass !== last || (numSamples !== null && distinctRows === numSamples);
    const dropping = list.some((e) => e.dropping);
    const missingRows = numSamples === null ? 0 : Math.max(0, numSamples - distinctRows);
    if (numSamples !== null && distinctRows > numSamples) {
      problems.add(`pass ${pass}: ${distinctRows} distinct rows, more than numSamples ${numSamples}`);
    }
    if (complete && missingRows > 0 && !dropping) {
      problems.add(
        `pass ${pass}: ${missingRows} of ${numSamples} rows never appeared, yet pass ${pass + 1} began`,
      );
    }
    if (complete) {
      for (const entry of list) {
        for (let k = entry.rows.length - entry.padding; k < entry.rows.length; k++) {
          const row = entry.rows[k] as number;
          if (!firstAt.has(row))
            problems.add(
              `${entry.where}: pass ${pass}: padding row ${row} at step ${entry.step} is not a row of the pass`,
            );
        }
      }
    }
    return { pass, rows, distinctRows, paddingRows, missingRows, complete };
  });
}

/** Steps of each rank must follow each other without a gap from the rank's first step. */
function checkContinuity(entries: Entry[], problems: Problems): void {
  const steps = new Map<string, number[]>();
  for (const entry of entries) {
    const list = steps.get(entry.rank);
    if (list === undefined) steps.set(entry.rank, [entry.step]);
    else list.push(entry.step);
  }
  for (const [rank, list] of steps) {
    list.sort((a, b) => a - b);
    for (let i = 1; i < list.length; i++) {
      if ((list[i] as number) !== (list[i - 1] as number) + 1) {
        problems.add(
          `rank ${rank}: steps ${(list[i - 1] as number) + 1}–${(list[i] as number) - 1} are missing`,
        );
        break;
      }
    }
  }
}

/**
 * Checks coverage manifests (one file per rank, resumed runs appended): every hash chain is
 * intact, a step written twice (by an interrupted run and its resumption) has the same rows, no
 * rank skips a step, and within each pass every usable row appears exactly once across all ranks
 * (padding repeats counted separately; a pass followed by another must be complete unless the run
 * drops rows). With `reference`, every step present in both must have the same rows and hash, as
 * a resumed run's manifest must equal an uninterrupted one's. Throws `DataError` for an unreadable
 * file; findings are returned, not thrown.
 * @example const report = await verifyManifest(["rank0.jsonl", "rank1.jsonl"], { numSamples: 50000 })
 */
export async function verifyManifest(
  paths: string | readonly string[],
  options: { numSamples?: number | null; reference?: string | readonly string[] | null } = {},
): Promise<ManifestReport> {
  const problems = new Problems();
  const list = typeof paths === "string" ? [paths] : [...paths];
  const { headers, entries } = await load(list, problems);
  if (headers.length === 0) problems.add(`${list.join(", ")}: no manifest header found`);
  const declared = [...new Set(headers.map((h) => h.numSamples))];
  if (declared.length > 1) problems.add(`headers disagree on numSamples: ${declared.join(", ")}`);
  const seeds = [...new Set(headers.map((h) => h.seed))];
  if (seeds.length > 1) problems.add(`headers disagree on the seed: ${seeds.join(", ")}`);
  const numSamples = options.numSamples ?? declared[0] ?? null;
  if (options.numSamples != null && declared.length > 0 && !declared.includes(options.numSamples)) {
    problems.add(
      `manifest was written for numSamples ${declared.join(", ")}, expected ${options.numSamples}`,
    );
  }
  const all = [...entries.values()];
  checkContinuity(all, problems);
  const passes = coverage(all, numSamples, problems);
  let matchingSteps: number | null = null;
  if (options.reference != null) {
    const reference = await load(
      typeof options.reference === "string" ? [options.reference] : options.reference,
      problems,
    );
    matchingSteps = 0;
    for (const [key, entry] of entries) {
      const other = reference.entries.get(key);
      if (other === undefined) continue;
      if (other.hash === entry.hash && other.rows.join() === entry.rows.join()) matchingSteps++;
      else
        problems.add(
          `${entry.where}: step ${entry.step} (rank ${entry.rank}) differs from the reference at ${other.where}`,
        );
    }
    if (matchingSteps === 0 && entries.size > 0) problems.add("no step in common with the reference");
  }
  return {
    ok: problems.list.length === 0,
    problems: problems.list,
    numSamples,
    steps: entries.size,
    passes,
    matchingSteps,
  };
}

/**
 * The report as text for a terminal: the verdict, one line per pass, the reference comparison and
 * the problems, e.g. `manifest OK: 24 steps, 3 passes, numSamples 11` then `pass 0: 11 of 11 rows
 * once each, 1 padding, complete`.
 */
export function describeManifestReport(report: ManifestReport): string {
  const verdict = report.ok ? "manifest OK" : `manifest FAILED (${report.problems.length} problems)`;
  const lines = [
    `${verdict}: ${report.steps} steps, ${report.passes.length} passes, numSamples ${report.numSamples ?? "unknown"}`,
  ];
  for (const p of report.passes) {
    const of = report.numSamples === null ? "" : ` of ${report.numSamples}`;
    const state = p.complete ? "complete" : "incomplete (the run stopped inside it)";
    const missing = p.complete && p.missingRows > 0 ? `, ${p.missingRows} left out` : "";
    lines.push(
      `pass ${p.pass}: ${p.distinctRows}${of} rows once each, ${p.paddingRows} padding${missing}, ${state}`,
    );
  }
  if (report.matchingSteps !== null) lines.push(`reference: ${report.matchingSteps} steps equal`);
  for (const problem of report.problems) lines.push(`  ${problem}`);
  return lines.join("\n");
}
