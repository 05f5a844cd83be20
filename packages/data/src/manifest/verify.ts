import { type Entry, load, Problems, type Segment } from "./read.ts";

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

/**
 * How one rank's manifest ends. `complete`: every planned step is there; `stopped-early`: the run
 * ended on purpose before its planned end (early stopping); `incomplete`: the run failed or was
 * interrupted (it can be resumed); `cut-off`: no end record, so the process was killed or the file
 * lost its last lines; `unknown`: a version 1 manifest, which records no planned end.
 */
export interface RankEnd {
  rank: string;
  /** The step after the rank's last step in the manifest. */
  nextStep: number;
  /** The step after the run's last planned step; null when the plan did not know it. */
  endStep: number | null;
  ended: "complete" | "stopped-early" | "incomplete" | "cut-off" | "unknown";
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
  /** How each rank of the run's last layout ends. */
  ranks: RankEnd[];
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

const ALLOW = "accept a partial manifest with --allow-incomplete (allowIncomplete)";

/** The last segment of every rank of the final shard layout, and how its timeline ends. */
function rankEnds(segments: Segment[], entries: Entry[]): RankEnd[] {
  if (segments.length === 0) return [];
  const lastStart = Math.max(...segments.map((s) => s.header.startStep));
  const layout = new Set(
    segments.filter((s) => s.header.startStep === lastStart).map((s) => s.header.numShards),
  );
  const last = new Map<string, Segment>();
  for (const segment of segments) {
    if (!layout.has(segment.header.numShards)) continue;
    const seen = last.get(segment.rank);
    if (seen === undefined || segment.header.startStep >= seen.header.startStep)
      last.set(segment.rank, segment);
  }
  const nextSteps = new Map<string, number>();
  for (const entry of entries)
    nextSteps.set(entry.rank, Math.max(nextSteps.get(entry.rank) ?? 0, entry.step + 1));
  return [...last.values()]
    .map((segment): RankEnd => {
      const { header, end } = segment;
      return {
        rank: segment.rank,
        nextStep: nextSteps.get(segment.rank) ?? header.startStep,
        endStep: header.endStep ?? null,
        ended: header.version === 1 ? "unknown" : end === null ? "cut-off" : end.reason,
      };
    })
    .sort((a, b) => a.rank.localeCompare(b.rank, "en", { numeric: true }));
}

/** A missing tail is a problem unless `allowIncomplete`: a run that stopped early on purpose has none. */
function checkEnds(ranks: RankEnd[], allowIncomplete: boolean, problems: Problems): void {
  for (const { rank, nextStep, endStep, ended } of ranks) {
    const of = endStep === null ? "" : ` of the ${endStep} planned`;
    if (endStep !== null && nextStep > endStep) {
      problems.add(
        `rank ${rank}: steps ${endStep}–${nextStep - 1} are beyond the run's planned ${endStep} steps`,
      );
    }
    if (allowIncomplete) continue;
    if (ended === "cut-off") {
      problems.add(
        `rank ${rank}: the manifest ends after step ${nextStep - 1}${of} without an end record: its last lines are missing, or the run was killed; resume the run, or ${ALLOW}`,
      );
    } else if (ended === "incomplete") {
      problems.add(
        `rank ${rank}: the run stopped after step ${nextStep - 1}${of}: it failed or was interrupted; resume it to finish, or ${ALLOW}`,
      );
    }
  }
}

/**
 * Checks coverage manifests (one file per rank, resumed runs appended): every hash chain is
 * intact, a step written twice (by an interrupted run and its resumption) has the same rows, no
 * rank skips a step, and within each pass every usable row appears exactly once across all ranks
 * (padding repeats counted separately; a pass followed by another must be complete unless the run
 * drops rows). With `reference`, every step present in both must have the same rows and hash, as
 * a resumed run's manifest must equal an uninterrupted one's. A manifest must also reach its
 * run's end (version 2 records the planned end and how each segment ended): a missing tail — no
 * end record, a run that failed or was interrupted, or steps the reference has beyond the
 * manifest's last — is a problem unless `allowIncomplete`; a run that stopped early on purpose
 * (early stopping) is finished. Throws `DataError` for an unreadable file; findings are returned,
 * not thrown.
 * @example const report = await verifyManifest(["rank0.jsonl", "rank1.jsonl"], { numSamples: 50000 })
 */
export async function verifyManifest(
  paths: string | readonly string[],
  options: {
    numSamples?: number | null;
    reference?: string | readonly string[] | null;
    allowIncomplete?: boolean;
  } = {},
): Promise<ManifestReport> {
  const problems = new Problems();
  const list = typeof paths === "string" ? [paths] : [...paths];
  const allowIncomplete = options.allowIncomplete === true;
  const { headers, segments, entries } = await load(list, problems);
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
  const ranks = rankEnds(segments, all);
  checkEnds(ranks, allowIncomplete, problems);
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
    for (const { rank, nextStep, ended } of ranks) {
      if (allowIncomplete || ended === "stopped-early") continue;
      const beyond = [...reference.entries.values()].filter((e) => e.rank === rank && e.step >= nextStep);
      if (beyond.length === 0) continue;
      const lastStep = Math.max(...beyond.map((e) => e.step));
      problems.add(
        `rank ${rank}: the reference has steps ${nextStep}–${lastStep} that the manifest lacks: its last lines are missing or its run stopped early; ${ALLOW}`,
      );
    }
  }
  return {
    ok: problems.list.length === 0,
    problems: problems.list,
    numSamples,
    steps: entries.size,
    passes,
    matchingSteps,
    ranks,
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
  for (const { rank, nextStep, endStep, ended } of report.ranks) {
    const of = endStep === null ? "" : ` of ${endStep} planned`;
    if (ended === "stopped-early")
      lines.push(`rank ${rank}: stopped early on purpose after ${nextStep}${of} steps`);
    if (ended === "incomplete" || ended === "cut-off") {
      const why = ended === "incomplete" ? "the run failed or was interrupted" : "no end record";
      lines.push(`rank ${rank}: incomplete, ${nextStep}${of} steps (${why})`);
    }
  }
  if (report.matchingSteps !== null) lines.push(`reference: ${report.matchingSteps} steps equal`);
  for (const problem of report.problems) lines.push(`  ${problem}`);
  return lines.join("\n");
}
