import { DataError } from "../errors.ts";
import { type BlockSource, readInBlocks, type SampleBlock } from "../pipeline/block.ts";

/**
 * A block source over some samples of another (e.g. the training or validation side of a split):
 * sample i of the subset is sample `members[i]` of `source`, read through the same blocks, so the
 * subset shuffles fully and resumes from a position-only state too. Memory: 8 bytes per member
 * (Float64Array) or 4 (Uint32Array), used without copying. Throws `DataError` (options) for an
 * empty subset or a member outside the source.
 * @example const train = subsetBlocks(source, trainPositions) // createPipeline({ source: train, shuffle: "full", … })
 */
export function subsetBlocks(source: BlockSource, members: Uint32Array | Float64Array): BlockSource {
  if (members.length === 0)
    throw new DataError({ code: "options", reason: "a subset needs at least one sample" });
  for (const member of members) {
    if (!(Number.isSafeInteger(member) && member >= 0 && member < source.numSamples)) {
      throw new DataError({
        code: "options",
        reason: `subset member must be a sample index in [0, ${source.numSamples}), got ${member}`,
      });
    }
  }
  const numSamples = members.length;
  const subset: BlockSource = {
    numFeatures: source.numFeatures,
    numSamples,
    blockSamples: source.blockSamples,
    readBlock(indices: ArrayLike<number>): Promise<SampleBlock> {
      const mapped = new Float64Array(indices.length);
      for (let i = 0; i < mapped.length; i++) {
        const index = indices[i] as number;
        if (!(Number.isSafeInteger(index) && index >= 0 && index < numSamples)) {
          return Promise.reject(
            new DataError({
              code: "options",
              reason: `sample index must be an integer in [0, ${numSamples}), got ${index}`,
            }),
          );
        }
        mapped[i] = members[index] as number;
      }
      return source.readBlock(mapped);
    },
    stream: () => readInBlocks(subset, { start: 0, end: numSamples }, (i) => i),
  };
  return subset;
}
