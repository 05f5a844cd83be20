import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SchemaEncoder } from "../schema/encode.ts";
import type { Schema } from "../schema/types.ts";
import { parseNumber } from "../schema/values.ts";
import { LineEncoder } from "./line-encoder.ts";
import {
  lineFor,
  oddNumber,
  plainNumber,
  type SchemaCase,
  schemaCase,
} from "./numeric-arbitraries.test-helpers.ts";
import { rowProblem } from "./read.ts";

/** The reference: csv-parse's fields of the line, then SchemaEncoder.encode. */
function reference(c: SchemaCase, bytes: Buffer, delimiter: string) {
  const records: string[][] = parse(bytes, {
    delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
    record_delimiter: ["\r\n", "\n"],
  });
  const encoder = new SchemaEncoder(c.schema);
  encoder.bind(c.schema.columns);
  const out = new Float32Array(c.schema.numFeatures);
  const fields = records[0] as string[];
  const result = rowProblem(fields, c.schema.columns, false) ?? encoder.encode(fields, out);
  return { records, out, result, unseen: encoder.unseen.size };
}

function lineEncoder(schema: Schema, delimiter: string): LineEncoder | null {
  const encoder = new SchemaEncoder(schema);
  encoder.bind(schema.columns);
  return LineEncoder.create(encoder.plan(), delimiter);
}

/** Bit patterns, so that -0 and 0 differ. */
const bits = (values: Float32Array) => [...new Uint32Array(values.buffer, values.byteOffset, values.length)];

const numericOnly = (numColumns: number, label: boolean): Schema => {
  const columns = Array.from({ length: numColumns + (label ? 1 : 0) }, (_, i) => `c${i}`);
  return {
    version: 2,
    columns,
    features: columns.slice(0, numColumns).map((name) => ({
      name,
      kind: "numeric" as const,
      default: null,
      stats: { count: 2, mean: 0, std: 1, min: 0, max: 1 },
    })),
    label: label ? { name: columns[numColumns] as string, kind: "integer-classes", numClasses: 10 } : null,
    ignored: [],
    normalization: "none",
    numFeatures: numColumns,
    fit: { rowsRead: 2, rowsUsed: 2, rowsSkipped: 0, sampleRows: 2 },
    notes: [],
  };
};

describe("LineEncoder", () => {
  it("random schema and line → declined, or exactly the reference record: same features (bit for bit), label and line end", () => {
    let taken = 0;
    fc.assert(
      fc.property(
        schemaCase
          .chain((c) =>
            fc.tuple(fc.constant(c), fc.constantFrom(",", ";", "\t"), fc.constantFrom("\n", "\r\n")),
          )
          .chain(([c, delimiter, ending]) =>
            fc.tuple(fc.constant(c), fc.constant(delimiter), lineFor(c, delimiter), fc.constant(ending)),
          ),
        ([c, delimiter, line, ending]) => {
          const encoder = lineEncoder(c.schema, delimiter);
          // Embedding indices, hash buckets and dates always take the reference path.
          const referenceOnly = c.schema.features.some(
            (f) => f.kind === "date" || (f.kind === "categorical" && f.encoding !== "one-hot"),
          );
          expect(encoder === null).toBe(referenceOnly);
          if (encoder === null) return;
          const bytes = Buffer.from(`${line}${ending}9,9\n`);
          const out = new Float32Array(c.schema.numFeatures + 2).fill(7);
          const lf = (encoder as LineEncoder).encode(bytes, 0, bytes.length, out, 1);
          if (lf < 0) return;
          taken++;
          const ref = reference(c, Buffer.from(`${line}${ending}`), delimiter);
          expect(lf).toBe(Buffer.byteLength(line) + ending.length - 1);
          expect(ref.records).toHaveLength(1);
          expect(typeof ref.result).toBe("number");
          expect(Object.is((encoder as LineEncoder).label, ref.result)).toBe(true);
          expect(bits(out.subarray(1, 1 + c.schema.numFeatures))).toEqual(bits(ref.out));
          expect(ref.unseen).toBe(0);
          expect([out[0], out[c.schema.numFeatures + 1]]).toEqual([7, 7]); // nothing outside the sample
        },
      ),
      { numRuns: 1500 },
    );
    expect(taken).toBeGreaterThan(100); // the property must not hold by declining everything
  });

  it("any number text in a numeric column → declined, or Number(text) exactly (no normalization)", () => {
    const encoder = lineEncoder(numericOnly(1, false), ",") as LineEncoder;
    fc.assert(
      fc.property(fc.oneof(plainNumber, oddNumber), (text) => {
        const bytes = Buffer.from(`${text}\n`);
        const out = new Float32Array(1);
        const lf = encoder.encode(bytes, 0, bytes.length, out, 0);
        if (lf < 0) return;
        expect(lf).toBe(bytes.length - 1);
        const value = parseNumber(text);
        expect(Number.isNaN(value)).toBe(false);
        expect(Object.is(out[0], Math.fround(value))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ["-3.1417", -3.1417],
    ["+2.5", 2.5],
    [".5", 0.5],
    ["5.", 5],
    ["-0", -0],
    ["1e3", 1000],
    ["1.5E-3", 0.0015],
    ["00012", 12],
    ["123456789", 123456789],
    ["1234567890.5", 1234567890.5], // 11 digits: parsed from the text
    ["9007199254740993", 9007199254740992],
    ["1e22", 1e22],
    ["1e-30", 1e-30], // beyond the exact powers: parsed from the text
    // Four fraction digits are read as one word: with more digits after them, an exponent, a sign.
    ["-2.7091", -2.7091],
    ["0.12345678", 0.12345678],
    ["-0.0000", -0],
    ["1.2345e2", 123.45],
    ["99999.9999", 99999.9999],
    ["99999.99999", 99999.99999], // 10 digits: parsed from the text
  ])("%s → taken as Number(%s)", (text, expected) => {
    const encoder = lineEncoder(numericOnly(1, false), ",") as LineEncoder;
    const out = new Float32Array(1);
    expect(encoder.encode(Buffer.from(`${text}\n`), 0, text.length + 1, out, 0)).toBe(text.length);
    expect(Object.is(out[0], Math.fround(expected))).toBe(true);
  });

  it.each([
    "NaN",
    "Infinity",
    "-Infinity",
    "0x1F",
    "0b11",
    "1_000",
    " 1",
    "1 ",
    "",
    ".",
    "-",
    "e5",
    "1e",
    "1e400",
    "3.5e38",
    '"1.5"',
    "1\r2",
  ])("%j → declined (the reference path decides)", (text) => {
    const encoder = lineEncoder(numericOnly(1, false), ",") as LineEncoder;
    const bytes = Buffer.from(`${text}\n`);
    expect(encoder.encode(bytes, 0, bytes.length, new Float32Array(1), 0)).toBe(-1);
  });

  it.each([
    ["1,2,3\n", 5],
    ["1,2,3\r\n", 6],
    ["1,2\n", -1], // too few fields
    ["1,2,3,4\n", -1], // too many
    ["1,2,3", -1], // no line end yet
    ["1,2,3\r", -1], // CR without its LF yet
    ["1,2,11\n", -1], // class index out of range
    ["1,2,1.5\n", -1], // not a class index
  ])("line %j → line end %i", (line, expected) => {
    const encoder = lineEncoder(numericOnly(2, true), ",") as LineEncoder;
    const bytes = Buffer.from(`${line}\n`); // a line feed ahead, as the caller guarantees
    expect(encoder.encode(bytes, 0, line.length, new Float32Array(2), 0)).toBe(expected);
  });

  it("a line longer than the bytes offered → declined even when its line feed follows", () => {
    const encoder = lineEncoder(numericOnly(2, true), ",") as LineEncoder;
    const bytes = Buffer.from("1,2,3\n");
    expect(encoder.encode(bytes, 0, 5, new Float32Array(2), 0)).toBe(-1);
    expect(encoder.encode(bytes, 0, 6, new Float32Array(2), 0)).toBe(5);
  });

  it("multi-byte delimiter, or a column used twice → no line encoder", () => {
    const schema = numericOnly(2, false);
    expect(lineEncoder(schema, "::")).toBeNull();
    const encoder = new SchemaEncoder({
      ...schema,
      features: [...schema.features, { ...(schema.features[0] as Schema["features"][0]) }],
      numFeatures: 3,
    });
    encoder.bind(schema.columns);
    expect(LineEncoder.create(encoder.plan(), ",")).toBeNull();
  });
});
