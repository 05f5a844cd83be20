// The page: pick or drop a CSV → schema and epoch plan → train with live progress, stop, resume,
// download the model and schema.json. Everything runs here; the server only serves files.
import { DataError, describeSchema, inferSchema, type Schema } from "@stepwise/data";
import { initBackend } from "@stepwise/data/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import wasmPlain from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url";
import wasmSimd from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url";
import wasmThreaded from "@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url";
import irisUrl from "../../../examples/iris/iris.csv?url";
import { type ChartPoint, drawChart } from "./chart.ts";
import { SCHEMA_OPTIONS } from "./schema-options.ts";
import { Session } from "./session.ts";
import { planRows, progressLine } from "./text.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const number = (id: string) => Number($<HTMLInputElement>(id).value);

setWasmPaths({
  "tfjs-backend-wasm.wasm": wasmPlain,
  "tfjs-backend-wasm-simd.wasm": wasmSimd,
  "tfjs-backend-wasm-threaded-simd.wasm": wasmThreaded,
});

let data: File | null = null;
let schema: Schema | null = null;
let session: Session | null = null;
let points: ChartPoint[] = [];
const backend = initBackend();

function status(text: string): void {
  $("status").textContent = text;
  document.body.dataset.status = text;
}

function fail(error: unknown): void {
  $("error").textContent =
    error instanceof DataError ? error.message : String((error as Error)?.message ?? error);
  status("error");
}

function buttons(): void {
  const running = session?.running ?? false;
  $<HTMLButtonElement>("train").disabled = schema === null || running;
  $<HTMLButtonElement>("stop").disabled = !running;
  $<HTMLButtonElement>("saveModel").disabled = session === null || running;
  $<HTMLButtonElement>("saveSchema").disabled = schema === null;
}

/** Reads the header for the label choices, infers the schema, and shows it with the plan. */
async function load(file: File): Promise<void> {
  $("error").textContent = "";
  data = file;
  session = null;
  status(`reading ${file.name}`);
  const header =
    new TextDecoder().decode(await file.slice(0, 64 * 1024).arrayBuffer()).split(/\r?\n/)[0] ?? "";
  const columns = header.split(",").map((c) => c.replace(/^"|"$/g, "").trim());
  const select = $<HTMLSelectElement>("label");
  select.replaceChildren(...columns.map((c) => new Option(c, c)));
  select.value = columns.at(-1) ?? "";
  await prepare();
}

async function prepare(): Promise<void> {
  if (data === null) return;
  try {
    status("inferring the schema");
    schema = await inferSchema({ data, label: $<HTMLSelectElement>("label").value, ...SCHEMA_OPTIONS });
    $("schema").textContent = describeSchema(schema);
    session = await Session.open(options());
    $("plan").replaceChildren(
      ...planRows(session.plan, session.numTrain, session.numValidation).map(([name, value]) => {
        const row = document.createElement("tr");
        row.append(Object.assign(document.createElement("th"), { textContent: name }));
        row.append(Object.assign(document.createElement("td"), { textContent: value }));
        return row;
      }),
    );
    points = [];
    drawChart($("chart"), points, session.plan.totalSteps ?? 1);
    $("progress").textContent = "";
    const active = await backend;
    $("backend").textContent =
      `on the ${active.backend} backend${active.warning ? ` (${active.warning})` : ""}`;
    status(`ready: ${active.backend} backend`);
  } catch (error) {
    schema = null;
    session = null;
    fail(error);
  }
  buttons();
}

function options() {
  return {
    data: data as File,
    schema: schema as Schema,
    batchSize: number("batchSize"),
    epochs: number("epochs"),
    hidden: number("hidden"),
    learningRate: number("learningRate"),
    seed: number("seed"),
    validationSplit: number("validationSplit"),
  };
}

async function train(): Promise<void> {
  if (session === null) return;
  const lines: string[] = [];
  const run = session;
  status("training");
  let lastDraw = 0;
  try {
    const pending = run.run((report) => {
      points.push({ step: report.globalStep, loss: report.loss, accuracy: report.accuracy });
      const line = progressLine(report);
      if (report.step === report.stepsPerEpoch) lines.push(line);
      const now = performance.now();
      if (now - lastDraw > 100 || report.validation) {
        lastDraw = now;
        $("progress").textContent = [
          ...lines.slice(-12),
          report.step === report.stepsPerEpoch ? "" : line,
        ].join("\n");
        drawChart($("chart"), points, run.plan.totalSteps ?? 1);
      }
      if (report.validation) document.body.dataset.valAccuracy = String(report.validation.accuracy);
      document.body.dataset.steps = String(points.length);
      document.body.dataset.lastStep = String(report.globalStep);
    });
    buttons(); // run() marks itself running before its first await
    const result = await pending;
    drawChart($("chart"), points, run.plan.totalSteps ?? 1);
    status(result === "done" ? "done" : `stopped at step ${run.pipeline.position.step}`);
  } catch (error) {
    fail(error);
  }
  buttons();
}

function download(name: string, blob: Blob): void {
  const link = Object.assign(document.createElement("a"), {
    href: URL.createObjectURL(blob),
    download: name,
  });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

$<HTMLInputElement>("file").addEventListener("change", (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) void load(file);
});
const drop = $("drop");
drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  const file = event.dataTransfer?.files[0];
  if (file) void load(file);
});
$("iris").addEventListener("click", async () => {
  const response = await fetch(irisUrl);
  void load(new File([await response.blob()], "iris.csv"));
});
$("label").addEventListener("change", () => void prepare());
for (const id of ["batchSize", "epochs", "hidden", "learningRate", "seed", "validationSplit"]) {
  $(id).addEventListener("change", () => void prepare());
}
$("train").addEventListener("click", () => void train());
$("stop").addEventListener("click", () => session?.stop());
$("saveModel").addEventListener("click", () => void session?.model.save("downloads://stepwise-model"));
$("saveSchema").addEventListener("click", () => {
  if (schema)
    download("schema.json", new Blob([`${JSON.stringify(schema, null, 2)}\n`], { type: "application/json" }));
});
status("pick a CSV");
