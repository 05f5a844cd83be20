import type { ByteInput } from "../bytes/input.ts";
import type { ResolvedFormat } from "../csv/format.ts";
import type { BadRecordPolicy } from "../csv/policy.ts";
import type { Schema } from "../schema/types.ts";
import type { BlockPlan } from "./memory.ts";
import type { RowIndex } from "./rows.ts";

/** What the row reader and its row decoder work from: the index, the CSV format, the schema and the bad-record policy. */
export interface RowReaderSettings {
  index: RowIndex;
  /** The index's files as inputs, in the same order (their positioned reads). */
  inputs: readonly ByteInput[];
  format: ResolvedFormat;
  schema: Schema;
  requireLabel: boolean | undefined;
  policy: BadRecordPolicy;
  unseen: Map<string, number>;
  maxRecordChars: number;
  plan: BlockPlan;
}
