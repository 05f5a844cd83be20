import { describe, expect, it } from "vitest";
import { formatProfile, onFirstItem, PHASES, PhaseRecorder, timedIteration } from "./profile.ts";

/** A clock the test moves by hand: no test here depends on how fast anything runs. */
function manualClock(start = 0) {
  let now = start;
  return {
    now: () => now,
    advance(seconds: number) {
      now += seconds;
    },
  };
}

async function* items(n: number, clock: ReturnType<typeof manualClock>, eachSeconds: number) {
  for (let i = 0; i < n; i++) {
    clock.advance(eachSeconds);
    yield i;
  }
}

describe("PhaseRecorder", () => {
  it("phases timed out of order → reported in the command's order, repeats added, the rest as other", async () => {
    const clock = manualClock(2);
    const phases = new PhaseRecorder(clock.now);
    phases.add("start", clock.now());
    await phases.time("rowIndex", async () => clock.advance(1));
    await phases.time("schema", async () => clock.advance(3));
    phases.add("checkpoints", 0.5);
    phases.add("checkpoints", 0.25);
    clock.advance(0.25 + 0.5 + 0.75); // checkpoints happened, plus 0.75 s no phase covers
    const report = phases.report();
    expect(report.version).toBe(1);
    expect(report.wallSeconds).toBe(7.5);
    expect(report.phases.map((p) => [p.name, p.seconds])).toEqual([
      ["start", 2],
      ["schema", 3],
      ["rowIndex", 1],
      ["checkpoints", 0.75],
      ["other", 0.75],
    ]);
    expect(report.phases.map((p) => p.label)).toEqual(report.phases.map((p) => PHASES[p.name]));
    expect(report.phases.reduce((sum, p) => sum + p.share, 0)).toBeCloseTo(1, 12);
    expect(report.firstStepAtSeconds).toBeNull();
  });

  it("a phase that throws → its time still recorded, the error goes on", async () => {
    const clock = manualClock();
    const phases = new PhaseRecorder(clock.now);
    await expect(
      phases.time("schema", async () => {
        clock.advance(2);
        throw new Error("bad row");
      }),
    ).rejects.toThrow("bad row");
    expect(phases.report().phases).toEqual([{ name: "schema", label: PHASES.schema, seconds: 2, share: 1 }]);
  });

  it("first step noted twice → the first time kept", () => {
    const clock = manualClock(1);
    const phases = new PhaseRecorder(clock.now);
    phases.firstStepDone();
    clock.advance(4);
    phases.firstStepDone();
    expect(phases.report().firstStepAtSeconds).toBe(1);
  });

  it("the table → one line per phase with seconds and share, the total and the first step", () => {
    const clock = manualClock();
    const phases = new PhaseRecorder(clock.now);
    phases.add("start", 1);
    phases.add("training", 3);
    clock.advance(4);
    phases.firstStepDone();
    const lines = formatProfile(phases.report()).split("\n");
    expect(lines[0]).toMatch(/^Profile/);
    expect(lines[1]).toMatch(/^process start \+ imports\s+1\.000 s\s+25\.0%$/);
    expect(lines[2]).toMatch(/^training\s+3\.000 s\s+75\.0%$/);
    expect(lines[3]).toMatch(/^total\s+4\.000 s\s+100\.0%$/);
    expect(lines[4]).toBe("First step ended 4.000 s after the process started");
  });
});

describe("onFirstItem", () => {
  it("items → all passed through in order, the callback once when the first arrives", async () => {
    const clock = manualClock();
    const seen: number[] = [];
    let calledAt: number | null = null;
    let calls = 0;
    const wrapped = onFirstItem(items(3, clock, 1), () => {
      calls++;
      calledAt = clock.now();
    });
    for await (const item of wrapped) seen.push(item);
    expect(seen).toEqual([0, 1, 2]);
    expect(calls).toBe(1);
    expect(calledAt).toBe(1);
  });

  it("left early → the source is closed", async () => {
    const clock = manualClock();
    let closed = false;
    async function* source() {
      try {
        yield* items(5, clock, 1);
      } finally {
        closed = true;
      }
    }
    for await (const item of onFirstItem(source(), () => {})) if (item === 1) break;
    expect(closed).toBe(true);
  });
});

describe("timedIteration", () => {
  it("consumed to the end → the time from the start to the end added, the consumer's time included", async () => {
    const clock = manualClock();
    const phases = new PhaseRecorder(clock.now);
    for await (const _ of timedIteration(items(3, clock, 1), phases, "validation")) clock.advance(0.5);
    for await (const _ of timedIteration(items(1, clock, 2), phases, "validation")) clock.advance(0);
    expect(phases.report().phases.find((p) => p.name === "validation")?.seconds).toBe(4.5 + 2);
  });

  it("left early or failing → the time up to then added once", async () => {
    const clock = manualClock();
    const phases = new PhaseRecorder(clock.now);
    for await (const item of timedIteration(items(5, clock, 1), phases, "validation")) if (item === 1) break;
    async function* failing() {
      clock.advance(3);
      yield 0;
      throw new Error("bad batch");
    }
    await expect(async () => {
      for await (const _ of timedIteration(failing(), phases, "validation")) clock.advance(0);
    }).rejects.toThrow("bad batch");
    expect(phases.report().phases.find((p) => p.name === "validation")?.seconds).toBe(2 + 3);
  });
});
