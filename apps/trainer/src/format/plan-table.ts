import type { EpochPlan, Plan } from "@stepwise/core";

const MAX_ROWS = 12;

function range(start: number | null, end: number | null): string {
  return start === null || end === null ? "?" : `[${start}, ${end})`;
}

function passesOf(epoch: EpochPlan): string {
  if (epoch.passes === null) return "?";
  const spans = epoch.passes.map((span) => `p${span.pass} [${span.firstBatch}, ${span.endBatch})`);
  return spans.length > 3
    ? `${spans.slice(0, 2).join(" ")} … ${spans.at(-1)} (${spans.length} passes)`
    : spans.join(" ");
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? "").length))) ?? [];
  return rows
    .map((row) =>
      row.map((cell, col) => (col === row.length - 1 ? cell : cell.padStart(widths[col] ?? 0))).join("  "),
    )
    .join("\n");
}

function freqText(freq: number | number[]): string {
  if (Array.isArray(freq)) return `after epochs ${freq.join(", ")} (1-based)`;
  return freq === 1 ? "after every epoch" : `after every ${freq}th epoch`;
}

/** The plan as the readable block `trainer plan` prints: summary lines, an epoch table, warnings. */
export function formatPlan(plan: Plan): string {
  const lines: string[] = [];
  const n = plan.numSamples === null ? "unknown number of" : String(plan.numSamples);
  const perPass =
    plan.stepsPerPass === null
      ? "steps per pass unknown until the first pass ends"
      : `${plan.stepsPerPass} steps per pass (last batch ${plan.lastBatchSize}` +
        (plan.samplesDroppedPerPass ? `, ${plan.samplesDroppedPerPass} samples dropped)` : ")");
  lines.push(`Training:   ${n} samples, batch ${plan.batchSize} → ${perPass}`);
  if (plan.shard) {
    const s = plan.shard;
    lines.push(
      `Shard:      rank ${s.shardIndex} of ${s.numShards} (${s.policy}): ${s.samplesPerShard} samples per pass` +
        (s.paddedSamples ? `, ${s.paddedSamples} padded` : "") +
        (s.droppedSamples ? `, ${s.droppedSamples} dropped` : ""),
    );
  }
  const count = plan.endEpoch - plan.initialEpoch;
  lines.push(
    `Epochs:     ${plan.initialEpoch}–${plan.endEpoch - 1} (${count}), ${plan.stepsPerEpoch ?? "?"} steps per epoch` +
      ` (${plan.onExhausted}), ${plan.totalSteps ?? "?"} steps and ${plan.totalSamples ?? "?"} samples in total`,
  );
  if (plan.validationBatchSize !== null) {
    lines.push(
      `Validation: ${plan.validationSamples ?? "unknown number of"} samples → ${plan.validationSteps ?? "one pass of"} steps` +
        (plan.validationLastBatchSize !== null ? ` (last batch ${plan.validationLastBatchSize})` : "") +
        `, ${freqText(plan.validationFreq)}`,
    );
  } else {
    lines.push("Validation: none");
  }
  lines.push("");
  const header = ["epoch", "steps", "global steps", "samples", "validate", "passes [batches)"];
  const shown =
    plan.epochs.length > MAX_ROWS
      ? [...plan.epochs.slice(0, MAX_ROWS - 3), null, ...plan.epochs.slice(-2)]
      : plan.epochs;
  const rows = shown.map((epoch) =>
    epoch === null
      ? ["…", "", "", "", "", ""]
      : [
          String(epoch.epoch),
          String(epoch.steps ?? "?"),
          range(epoch.startStep, epoch.endStep),
          String(epoch.samples ?? "?"),
          epoch.validate ? "yes" : "",
          passesOf(epoch),
        ],
  );
  lines.push(table([header, ...rows]));
  if (plan.warnings.length > 0) {
    lines.push("", "Warnings:", ...plan.warnings.map((warning) => `  - ${warning}`));
  }
  return `${lines.join("\n")}\n`;
}
