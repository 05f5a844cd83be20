import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes } from "./bytes.ts";
import { lineAligned } from "./web-input.ts";

async function* chunksOf(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    yield bytes.slice(from, Math.max(from, cut));
    from = Math.max(from, cut);
  }
  yield bytes.slice(from);
}

describe("lineAligned", () => {
  it("any text cut anywhere → the same bytes, every chunk but the last ending at a line feed, none empty", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: fc.constantFrom("a", "b", ",", "\n", "\r", "é"), maxLength: 300 }),
        fc.array(fc.nat(400), { maxLength: 12 }),
        async (text, cuts) => {
          const bytes = new TextEncoder().encode(text);
          const out: Uint8Array[] = [];
          for await (const chunk of lineAligned(
            chunksOf(
              bytes,
              cuts.map((c) => c % (bytes.length + 1)),
            ),
          ))
            out.push(chunk);
          expect(out.reduce((all, c) => concatBytes(all, c), new Uint8Array(0))).toEqual(bytes);
          for (const chunk of out) expect(chunk.length).toBeGreaterThan(0);
          for (const chunk of out.slice(0, -1)) expect(chunk[chunk.length - 1]).toBe(0x0a);
        },
      ),
      { numRuns: 300 },
    );
  });
});
