import { describe, expect, it } from "vitest";
import { apiReports, committedReport, ENTRIES } from "./api-report.ts";

const reports = apiReports();

describe("public API report", () => {
  it("each public entry's surface → equal to its committed report under docs/api/", () => {
    for (const entry of ENTRIES) {
      const current = reports.get(entry.report);
      const committed = committedReport(entry.report);
      expect(
        committed,
        `${entry.specifier}: its public API differs from docs/api/${entry.report}. If the change is meant, run \`pnpm api-report\` and commit the report.`,
      ).toBe(current);
    }
  });

  // About 30 for sources, schema, pipeline, manifest and errors, plus five for the other formats.
  it("the data package's main entry → at most 35 names", () => {
    const report = reports.get("stepwise-data.md") ?? "";
    const count = Number(/public API \((\d+) names\)/.exec(report)?.[1]);
    expect(count).toBeLessThanOrEqual(35);
  });

  it("the data package's browser entry → no more names than its main entry", () => {
    const count = (name: string) => Number(/public API \((\d+) names\)/.exec(reports.get(name) ?? "")?.[1]);
    // The Node-only names (file formats, manifests, countRows) are left out; the Web* option types,
    // WebData and subsetBlocks (a train/validation split of an indexed source) are the browser's own.
    expect(count("stepwise-data-browser.md")).toBeLessThanOrEqual(count("stepwise-data.md"));
  });

  it("report text → no machine paths", () => {
    for (const text of reports.values()) expect(text).not.toMatch(/import\("|\/work\/|\/home\//);
  });
});
