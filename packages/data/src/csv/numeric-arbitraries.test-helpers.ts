// Random schemas and CSV text for differential tests of the byte-level line path: number
// syntaxes Number() and parseNumber treat differently, quoted and unquoted fields, defaults,
// vocabularies, labels of every kind, line endings. Used by tests and the fuzz script only.
import fc from "fast-check";
import { datePartsFor } from "../schema/dates.ts";
import { type Feature, featureWidth, type Label, type Normalization, type Schema } from "../schema/types.ts";

const digits = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789"), minLength, maxLength });

const exponent = fc
  .tuple(
    fc.constantFrom("e", "E"),
    fc.constantFrom("", "+", "-"),
    fc.oneof(digits(0, 3), fc.constantFrom("22", "23", "38", "39", "45", "308", "400", "99999999")),
  )
  .map((parts) => parts.join(""));

/** Decimal text of every shape: signs, missing integer or fraction digits, long mantissas, exponents. */
export const plainNumber = fc
  .tuple(
    fc.constantFrom("", "", "-", "+"),
    digits(0, 4),
    fc.option(digits(0, 5), { nil: undefined }),
    fc.option(exponent, { nil: undefined, freq: 4 }),
    fc.option(digits(5, 25), { nil: undefined, freq: 6 }),
  )
  .map(([sign, integer, fraction, exp, long]) => {
    const body = long === undefined ? integer : integer + long;
    return `${sign}${body}${fraction === undefined ? "" : `.${fraction}`}${exp ?? ""}`;
  });

/** Texts that are not plain decimals, or are on an edge of the float32 range or of exactness. */
export const oddNumber = fc.constantFrom(
  "NaN",
  "nan",
  "Infinity",
  "-Infinity",
  "+Infinity",
  "inf",
  "0x1F",
  "0X1f",
  "0b11",
  "0o17",
  "1_000",
  " 1",
  "1 ",
  "\t2",
  "",
  "",
  " ",
  ".",
  "-",
  "+",
  "e5",
  "1e",
  "1..2",
  "1e5.5",
  "--1",
  "+-1",
  "\u0661",
  "1e400",
  "-1e400",
  "1e-400",
  "3.4028235e38",
  "3.4028236e38",
  "-3.5e38",
  "1e-46",
  "-0",
  "+0",
  "0.0",
  "-0.0e5",
  "00012",
  "9007199254740993",
  "123456789",
  "1234567890",
  "0.000000001234567891",
  "123456789012345678901234567890",
  "0.1e1",
  "1E-7",
  "4.9e-324",
  "1.7976931348623157e308",
  "5.",
  ".5",
  "+.5e-3",
  "1e22",
  "1e23",
  "9e22",
  "123456789e22",
  "1\r",
  "١٢",
);

export const vocabularyPool = ["a", "b", "red", "New York", "x,y", 'q"r', "é", "1.5", "A b", "tab\tx"];

/** ISO dates and timestamps (valid), in the forms a date column takes. */
export const isoDate = fc
  .record({
    y: fc.integer({ min: 1990, max: 2030 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
    h: fc.integer({ min: 0, max: 23 }),
    min: fc.integer({ min: 0, max: 59 }),
    form: fc.constantFrom("date", "T", "space", "Z", "offset"),
  })
  .map(({ y, m, d, h, min, form }) => {
    const two = (n: number) => String(n).padStart(2, "0");
    const day = `${y}-${two(m)}-${two(d)}`;
    if (form === "date") return day;
    if (form === "T") return `${day}T${two(h)}:${two(min)}:00`;
    if (form === "space") return `${day} ${two(h)}:${two(min)}`;
    if (form === "Z") return `${day}T${two(h)}:${two(min)}:30Z`;
    return `${day}T${two(h)}:${two(min)}+05:30`;
  });

/** Decimals that every numeric column takes: 1–3 integer digits, up to 6 decimals, a sign sometimes. */
export const cleanNumber = fc
  .tuple(fc.constantFrom("", "", "-"), digits(1, 3), digits(0, 6))
  .map(([sign, integer, fraction]) => `${sign}${integer}${fraction === "" ? "" : `.${fraction}`}`);

/** A valid field's text for a column of `kind` (a class index below `numClasses`, a vocabulary value, …). */
export function cleanFieldText(
  kind: string,
  vocabulary: readonly string[],
  numClasses: number,
): fc.Arbitrary<string> {
  if (kind === "integer-classes") return fc.integer({ min: 0, max: numClasses - 1 }).map(String);
  if (kind === "categorical" || kind === "string-classes")
    return fc.constantFrom(...(vocabulary.length > 0 ? vocabulary : ["a"]));
  if (kind === "ignored") return fc.constantFrom("", "id-7", "x,y", "2024-01-02", 'say "hi"');
  if (kind === "date") return isoDate;
  return cleanNumber;
}

/** A field's text for a column of `kind`, mostly valid, sometimes not. */
export function fieldText(kind: string, vocabulary: readonly string[]): fc.Arbitrary<string> {
  const text = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...(vocabulary.length > 0 ? vocabulary : ["a"])) },
    { weight: 1, arbitrary: fc.constantFrom(...vocabularyPool, "", " ", "zz", "ünseen") },
  );
  const number = fc.oneof(
    { weight: 6, arbitrary: plainNumber },
    { weight: 2, arbitrary: oddNumber },
    { weight: 1, arbitrary: text },
  );
  const classIndex = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 12 }).map(String) },
    { weight: 2, arbitrary: fc.constantFrom("-1", "1.0", "1.5", "+2", "2e0", "0.0", "-0", "03", "1e1") },
    { weight: 1, arbitrary: number },
  );
  if (kind === "categorical" || kind === "string-classes" || kind === "ignored") return text;
  if (kind === "integer-classes") return classIndex;
  if (kind === "date")
    return fc.oneof(
      { weight: 6, arbitrary: isoDate },
      {
        weight: 1,
        arbitrary: fc.constantFrom("", "2024-02-30", "2024-13-01", "5/3/2024", "x", "1700000000"),
      },
    );
  return number;
}

export interface SchemaCase {
  schema: Schema;
  /** Kind of each file column: numeric, categorical, ignored, or the label's kind. */
  kinds: string[];
  /** The vocabulary a column's values come from. */
  vocabularies: string[][];
}

const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });

/** A schema over 1–6 columns with numeric, categorical and ignored features and any kind of label (or none). */
export const schemaCase: fc.Arbitrary<SchemaCase> = fc
  .record({
    kinds: fc.array(fc.constantFrom("numeric", "numeric", "numeric", "categorical", "ignored", "date"), {
      minLength: 1,
      maxLength: 5,
    }),
    label: fc.constantFrom("none", "integer-classes", "integer-classes", "regression", "string-classes"),
    labelAt: fc.nat(),
    normalization: fc.constantFrom<Normalization>("standard", "minmax", "none"),
    stats: fc.array(
      fc.record({
        mean: finite,
        // A tiny spread now and then: normalized values beyond float32 make bad records.
        std: fc.oneof(
          { weight: 1, arbitrary: fc.constant(0) },
          { weight: 8, arbitrary: fc.double({ min: 1e-3, max: 1e4, noNaN: true }) },
          { weight: 1, arbitrary: fc.constant(1e-35) },
        ),
        min: finite,
        max: finite,
      }),
      { minLength: 6, maxLength: 6 },
    ),
    defaults: fc.array(fc.option(finite, { nil: null, freq: 2 }), { minLength: 6, maxLength: 6 }),
    vocabularies: fc.array(fc.subarray(vocabularyPool, { minLength: 1 }), { minLength: 6, maxLength: 6 }),
    categoricalDefaults: fc.array(fc.option(fc.constantFrom(...vocabularyPool), { nil: null, freq: 2 }), {
      minLength: 6,
      maxLength: 6,
    }),
    numClasses: fc.integer({ min: 1, max: 12 }),
    encodings: fc.array(fc.constantFrom("one-hot", "one-hot-v1", "embedding", "hashed"), {
      minLength: 6,
      maxLength: 6,
    }),
    dateModes: fc.array(
      fc.tuple(fc.constantFrom("basic", "cyclical") as fc.Arbitrary<"basic" | "cyclical">, fc.boolean()),
      {
        minLength: 6,
        maxLength: 6,
      },
    ),
  })
  .map((r) => {
    const kinds: string[] = [...r.kinds];
    if (r.label !== "none") kinds.splice(r.labelAt % (kinds.length + 1), 0, r.label);
    const columns = kinds.map((_, i) => `c${i}`);
    const features: Feature[] = [];
    const vocabularies: string[][] = [];
    kinds.forEach((kind, i) => {
      const name = columns[i] as string;
      const vocabulary = [...(r.vocabularies[i % 6] as string[])];
      vocabularies.push(kind === "numeric" || kind === "ignored" || kind === "date" ? [] : vocabulary);
      if (kind === "numeric") {
        const s = r.stats[i % 6] as { mean: number; std: number; min: number; max: number };
        const stats = {
          count: 10,
          mean: s.mean,
          std: s.std,
          min: Math.min(s.min, s.max),
          max: Math.max(s.min, s.max),
        };
        features.push({ name, kind: "numeric", default: r.defaults[i % 6] ?? null, stats });
      } else if (kind === "categorical") {
        const fallback = r.categoricalDefaults[i % 6] ?? null;
        const encoding = r.encodings[i % 6] as string;
        const base = {
          name,
          kind: "categorical" as const,
          default: fallback,
          rowsOutsideVocabulary: 0,
          distinct: 0,
        };
        if (encoding === "hashed")
          features.push({ ...base, encoding, vocabulary: [], buckets: 1 + (i % 5), embeddingDim: 2 });
        else if (encoding === "embedding") features.push({ ...base, encoding, vocabulary, embeddingDim: 2 });
        else features.push({ ...base, encoding: "one-hot", vocabulary, oovInput: encoding === "one-hot" });
      } else if (kind === "date") {
        const s = r.stats[i % 6] as { mean: number; std: number; min: number; max: number };
        const [mode, hasTime] = r.dateModes[i % 6] as ["basic" | "cyclical", boolean];
        const year = { count: 10, mean: 2000 + (s.mean % 30), std: Math.abs(s.std), min: 1990, max: 2030 };
        features.push({ name, kind: "date", default: null, parts: datePartsFor(mode, hasTime), year });
      }
    });
    const labelIndex = kinds.findIndex(
      (k) => k !== "numeric" && k !== "categorical" && k !== "ignored" && k !== "date",
    );
    let label: Label | null = null;
    if (labelIndex >= 0) {
      const name = columns[labelIndex] as string;
      const kind = kinds[labelIndex];
      if (kind === "integer-classes") label = { name, kind, numClasses: r.numClasses };
      else if (kind === "regression")
        label = { name, kind, stats: { count: 10, mean: 0, std: 1, min: 0, max: 1 } };
      else label = { name, kind: "string-classes", vocabulary: vocabularies[labelIndex] as string[] };
    }
    const numFeatures = features.reduce((n, f) => n + featureWidth(f), 0);
    const schema: Schema = {
      version: 2,
      columns,
      features,
      label,
      ignored: kinds.flatMap((k, i) =>
        k === "ignored" ? [{ name: columns[i] as string, reason: "test" }] : [],
      ),
      normalization: r.normalization,
      numFeatures,
      fit: { rowsRead: 10, rowsUsed: 10, rowsSkipped: 0, sampleRows: 10 },
      notes: [],
    };
    return { schema, kinds, vocabularies };
  })
  .filter((c) => c.schema.numFeatures > 0);

/** Writes a field as CSV: quoted when it must be, and sometimes when it need not be. */
export function writeField(value: string, delimiter: string, quote: boolean): string {
  const needs = quote || value.includes(delimiter) || /["\r\n]/.test(value);
  return needs ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One data line for `c`: mostly clean, else any fields (sometimes one too many or too few), each maybe quoted. */
export function lineFor(c: SchemaCase, delimiter: string): fc.Arbitrary<string> {
  const numClasses = c.schema.label?.kind === "integer-classes" ? c.schema.label.numClasses : 1;
  const fields = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.tuple(
        ...c.kinds.map((kind, i) => cleanFieldText(kind, c.vocabularies[i] as string[], numClasses)),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(...c.kinds.map((kind, i) => fieldText(kind, c.vocabularies[i] as string[]))),
    },
  );
  return fc
    .tuple(
      fields,
      fc.array(fc.boolean(), { minLength: c.kinds.length, maxLength: c.kinds.length }),
      fc.constantFrom(...Array<string>(20).fill("ok"), "extra", "short"),
    )
    .map(([values, quotes, count]) => {
      const all = values.map((v, i) => writeField(v, delimiter, (quotes[i] ?? false) && i % 3 === 0));
      if (count === "extra") all.push("1");
      if (count === "short" && all.length > 1) all.pop();
      return all.join(delimiter);
    });
}

export interface NumericCsvCase extends SchemaCase {
  text: string;
  delimiter: string;
}

/** A whole file for `schemaCase`: header, lines with LF or CRLF, empty lines, maybe a BOM and no final newline. */
export const numericCsvCase: fc.Arbitrary<NumericCsvCase> = schemaCase.chain((c) =>
  fc
    .record({
      delimiter: fc.constantFrom(",", ",", ";", "\t", "§"), // § is two bytes in UTF-8
      bom: fc.boolean(),
      finalNewline: fc.boolean(),
    })
    .chain(({ delimiter, bom, finalNewline }) =>
      fc
        .array(
          fc.tuple(
            lineFor(c, delimiter),
            fc.constantFrom("\n", "\n", "\r\n"),
            fc.constantFrom("", "", "", "\n", "\r\n"),
          ),
          { minLength: 1, maxLength: 25 },
        )
        .map((lines) => {
          let text = (bom ? "\ufeff" : "") + c.schema.columns.join(delimiter);
          for (const [line, ending, empty] of lines) text += ending + empty + line;
          if (finalNewline) text += "\n";
          return { ...c, text, delimiter };
        }),
    ),
);
