import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DistError } from "../errors.ts";
import { freePort } from "./launch.ts";
import { rendezvous } from "./rendezvous.ts";
import type { Ring } from "./ring.ts";

/** W ranks of one process joined over loopback. */
async function ranks(worldSize: number, planHashes?: string[]): Promise<Ring[]> {
  const masterPort = await freePort();
  return Promise.all(
    Array.from({ length: worldSize }, (_, rank) =>
      rendezvous({
        rank,
        worldSize,
        masterAddr: "127.0.0.1",
        masterPort,
        planHash: planHashes?.[rank] ?? "same",
        connectTimeoutMs: 10_000,
        timeoutMs: 10_000,
      }),
    ),
  );
}

function seeded(seed: number, length: number): Float32Array {
  let state = seed >>> 0 || 1;
  return Float32Array.from({ length }, () => {
    state = (state * 1103515245 + 12345) >>> 0;
    return (state / 2 ** 32 - 0.5) * 10;
  });
}

const bytes = (data: Float32Array) =>
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("hex");

describe("ring all-reduce", () => {
  it("3 ranks over loopback → every rank gets the element-wise sum, byte for byte the same", async () => {
    const ring = await ranks(3);
    try {
      for (const length of [0, 1, 2, 7, 1000]) {
        const inputs = ring.map((_, r) => seeded(r + length, length));
        const results = await Promise.all(ring.map((rank, r) => rank.allReduce(inputs[r] as Float32Array)));
        for (let i = 0; i < length; i++) {
          const exact = inputs.reduce((sum, input) => sum + (input[i] as number), 0);
          expect(results[0]?.[i]).toBeCloseTo(exact, 4);
        }
        expect(new Set(results.map(bytes)).size).toBe(1);
      }
    } finally {
      await Promise.all(ring.map((rank) => rank.close()));
    }
  });

  it("the same inputs on a new ring → the same bytes (fixed reduction order)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 1, max: 300 }),
        async (W, length) => {
          const outputs: string[] = [];
          for (let run = 0; run < 2; run++) {
            const ring = await ranks(W);
            const results = await Promise.all(
              ring.map((rank, r) => rank.allReduce(seeded(r * 31 + 7, length))),
            );
            await Promise.all(ring.map((rank) => rank.close()));
            outputs.push(bytes(results[W - 1] as Float32Array));
          }
          expect(outputs[1]).toBe(outputs[0]);
        },
      ),
      { numRuns: 8 },
    );
  });

  it("a rank that dies mid-run → the others' next all-reduce rejects with a DistError naming the peer", async () => {
    const ring = await ranks(3);
    await Promise.all(ring.map((rank) => rank.allReduce(new Float32Array(10))));
    (ring[1] as Ring).abort();
    const outcomes = await Promise.allSettled([
      (ring[0] as Ring).allReduce(new Float32Array(10)),
      (ring[2] as Ring).allReduce(new Float32Array(10)),
    ]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      const reason = (outcome as PromiseRejectedResult).reason as Error;
      expect(reason).toBeInstanceOf(DistError);
      expect(reason.message).toMatch(/rank \d/);
      expect(reason.message).not.toContain("\n");
    }
  });
});

describe("rendezvous", () => {
  it("ranks with different plan hashes → each rank rejects with the plan mismatch", async () => {
    const masterPort = await freePort();
    const outcomes = await Promise.allSettled(
      ["aaaa", "bbbb"].map((planHash, rank) =>
        rendezvous({
          rank,
          worldSize: 2,
          masterAddr: "127.0.0.1",
          masterPort,
          planHash,
          connectTimeoutMs: 10_000,
          timeoutMs: 10_000,
        }),
      ),
    );
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      expect(((outcome as PromiseRejectedResult).reason as Error).message).toBe(
        "plan mismatch between ranks: rank 1 has plan hash bbbb, rank 0 has aaaa; start every rank with the same data and settings",
      );
    }
  });

  it("no rank 0 listening → the rank times out naming the address it tried", async () => {
    const masterPort = await freePort();
    await expect(
      rendezvous({
        rank: 1,
        worldSize: 2,
        masterAddr: "127.0.0.1",
        masterPort,
        planHash: "x",
        connectTimeoutMs: 600,
        timeoutMs: 1000,
      }),
    ).rejects.toThrow(
      new RegExp(`could not reach 127\\.0\\.0\\.1:${masterPort} in time \\(connect ECONNREFUSED\\)`),
    );
  });

  it("rank 0 alone → it times out naming the ranks that did not arrive", async () => {
    const masterPort = await freePort();
    await expect(
      rendezvous({
        rank: 0,
        worldSize: 3,
        masterAddr: "127.0.0.1",
        masterPort,
        planHash: "x",
        connectTimeoutMs: 600,
        timeoutMs: 1000,
      }),
    ).rejects.toThrow(`rendezvous at 127.0.0.1:${masterPort}: rank(s) 1, 2 of 3 did not connect within 1 s`);
  });
});
