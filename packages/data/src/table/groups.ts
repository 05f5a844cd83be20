import type { DataError, RowProblem } from "../errors.ts";
import type { SampleBlock } from "../pipeline/block.ts";
import type { SchemaEncoder } from "../schema/encode.ts";
import type { Schema } from "../schema/types.ts";
import type { GroupedFile } from "./grouped.ts";
import type { GroupLayout } from "./source.ts";
import { ValueEncoder } from "./values.ts";

/** One group, decoded and encoded: 4·numFeatures + 8 bytes per row, plus its bad rows. */
interface EncodedGroup {
  features: Float32Array;
  labels: Float64Array;
  /** Rows of the group (0-based in it) that are bad, with why; null when none. */
  problems: Map<number, RowProblem> | null;
  bytes: number;
}

/**
 * The groups of a columnar dataset, read on demand and kept encoded, least recently used first
 * out, within `cacheBytes` (the group in use is kept even when it alone is larger). A group is
 * read once however many blocks ask for it while it is cached, and at most once at a time.
 */
export class EncodedGroups {
  private readonly cache = new Map<number, EncodedGroup>();
  private readonly pending = new Map<number, Promise<EncodedGroup>>();
  private held = 0;
  /** Per file: the typed-value fast path of its encoder. */
  private readonly fast: (ValueEncoder | undefined)[] = [];
  /** Groups read from the files so far (a measure of how well the cache serves the shuffle). */
  groupsRead = 0;

  constructor(
    private readonly settings: {
      tables: readonly GroupedFile[];
      layout: GroupLayout;
      encoders: readonly SchemaEncoder[];
      schema: Schema;
      cacheBytes: number;
    },
  ) {}

  private async load(k: number): Promise<EncodedGroup> {
    const { tables, layout, encoders, schema } = this.settings;
    const f = layout.groupFile[k] as number;
    const { cells, values } = await (tables[f] as GroupedFile).readGroup(layout.groupInFile[k] as number);
    this.groupsRead++;
    const rows = (layout.groupStart[k + 1] as number) - (layout.groupStart[k] as number);
    const numFeatures = schema.numFeatures;
    const features = new Float32Array(rows * numFeatures);
    const labels = new Float64Array(rows);
    const encoder = encoders[f] as SchemaEncoder;
    if (values !== undefined && this.fast[f] === undefined) this.fast[f] = new ValueEncoder(encoder.plan());
    const fast = values === undefined ? null : (this.fast[f] as ValueEncoder);
    let problems: Map<number, RowProblem> | null = null;
    for (let r = 0; r < rows; r++) {
      const quick =
        fast === null ? null : fast.encode(values as ArrayLike<unknown>[], r, features, r * numFeatures);
      if (quick !== null) {
        labels[r] = quick;
        continue;
      }
      const label = encoder.encode(cells(r), features.subarray(r * numFeatures, (r + 1) * numFeatures));
      if (typeof label === "number") labels[r] = label;
      else {
        problems ??= new Map();
        problems.set(r, label);
      }
    }
    return { features, labels, problems, bytes: features.byteLength + labels.byteLength };
  }

  /** Group k, from the cache or read now. */
  private async group(k: number): Promise<EncodedGroup> {
    const cached = this.cache.get(k);
    if (cached !== undefined) {
      this.cache.delete(k);
      this.cache.set(k, cached); // most recently used last
      return cached;
    }
    let pending = this.pending.get(k);
    if (pending === undefined) {
      pending = this.load(k).finally(() => this.pending.delete(k));
      this.pending.set(k, pending);
      const group = await pending;
      this.cache.set(k, group);
      this.held += group.bytes;
      for (const [old, value] of this.cache) {
        if (this.held <= this.settings.cacheBytes || old === k) break;
        this.cache.delete(old);
        this.held -= value.bytes;
      }
      return group;
    }
    return pending;
  }

  /**
   * The samples at global rows `rows`, in that order, read group by group in file order. `onBad`
   * makes the error for a bad row asked for (file, 1-based row in the file, problem).
   */
  async read(
    rows: Float64Array,
    onBad: (file: string, line: number, problem: RowProblem) => DataError,
  ): Promise<SampleBlock> {
    const { layout, tables, schema } = this.settings;
    const numFeatures = schema.numFeatures;
    const count = rows.length;
    const features = new Float32Array(count * numFeatures);
    const labels = new Float64Array(count);
    const files = new Int32Array(count);
    const lines = new Float64Array(count);
    const order = Array.from({ length: count }, (_, i) => i).sort(
      (a, b) => (rows[a] as number) - (rows[b] as number),
    );
    let k = -1;
    let group: EncodedGroup | null = null;
    for (const position of order) {
      const row = rows[position] as number;
      if (k < 0 || row >= (layout.groupStart[k + 1] as number)) {
        k = layout.groupOf(row);
        group = await this.group(k);
      }
      const g = group as EncodedGroup;
      const r = row - (layout.groupStart[k] as number);
      const f = layout.groupFile[k] as number;
      const line = row - (layout.fileStart[f] as number) + 1;
      const problem = g.problems?.get(r);
      if (problem !== undefined) throw onBad((tables[f] as GroupedFile).file, line, problem);
      features.set(g.features.subarray(r * numFeatures, (r + 1) * numFeatures), position * numFeatures);
      labels[position] = g.labels[r] as number;
      files[position] = f;
      lines[position] = line;
    }
    return {
      length: count,
      numFeatures,
      features,
      labels,
      row(i: number) {
        if (!(i >= 0 && i < count)) throw new RangeError(`sample ${i} is not in this block`);
        const f = files[i] as number;
        return {
          index: rows[i] as number,
          file: (tables[f] as GroupedFile).file,
          fileIndex: f,
          line: lines[i] as number,
        };
      },
    };
  }
}
