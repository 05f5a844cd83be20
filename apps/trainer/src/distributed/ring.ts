// Ring all-reduce (reduce-scatter, then all-gather) over the two sockets of each rank: to the
// next rank and from the previous one. Written here because Node has no collective library (no
// maintained MPI, NCCL or gloo binding on npm, and tfjs has no distributed training).
//
// Determinism: the data is cut into W chunks at fixed bounds; chunk c is summed along the ring
// starting at rank c, ((x_c + x_{c+1}) + x_{c+2}) + …, each addition rounded to float32. The
// order differs between chunks but not between runs, and the all-gather copies the finished
// chunks, so every rank ends with the same bytes, run after run.
import { DistError } from "../errors.ts";
import { type FramedSocket, floatsOf } from "./frames.ts";

/** The collective operations a data-parallel run needs. */
export interface Collective {
  readonly rank: number;
  readonly worldSize: number;
  /** Element-wise sum of `data` over all ranks (same length on every rank); a new array, identical on every rank. */
  allReduce(data: Float32Array): Promise<Float32Array>;
  /** A last barrier, then closes the connections. */
  close(): Promise<void>;
  /** Drops the connections at once (after a failure), so the other ranks stop too. */
  abort(reason?: Error): void;
}

/** Start of chunk `c` of `n` values cut into `parts` chunks. */
function bound(n: number, parts: number, c: number): number {
  return Math.floor((c * n) / parts);
}

/** The ring of one rank: `next` is the socket to rank+1, `prev` the one from rank−1. */
export class Ring implements Collective {
  private sequence = 0;
  private closed = false;

  constructor(
    readonly rank: number,
    readonly worldSize: number,
    private readonly next: FramedSocket,
    private readonly prev: FramedSocket,
    /** Longest wait for the previous rank's data, in milliseconds. */
    private readonly timeoutMs: number,
  ) {}

  async allReduce(data: Float32Array): Promise<Float32Array> {
    const out = Float32Array.from(data);
    const W = this.worldSize;
    if (W === 1) return out;
    if (this.closed) throw new DistError("the ranks' connections are closed");
    const tag = this.sequence++ >>> 0;
    const n = out.length;
    const chunk = (c: number) => {
      const k = ((c % W) + W) % W;
      return out.subarray(bound(n, W, k), bound(n, W, k + 1));
    };
    try {
      for (let step = 0; step < W - 1; step++) {
        this.next.send(tag, chunk(this.rank - step));
        const target = chunk(this.rank - step - 1);
        const incoming = await this.receive(tag, target.length);
        for (let i = 0; i < target.length; i++) target[i] = (incoming[i] as number) + (target[i] as number);
      }
      for (let step = 0; step < W - 1; step++) {
        this.next.send(tag, chunk(this.rank + 1 - step));
        chunk(this.rank - step).set(await this.receive(tag, chunk(this.rank - step).length));
      }
    } catch (error) {
      this.abort(error instanceof Error ? error : undefined);
      throw error;
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.allReduce(new Float32Array(1));
    this.closed = true;
    this.next.close();
    this.prev.close();
  }

  abort(reason?: Error): void {
    this.closed = true;
    this.next.destroy(reason);
    this.prev.destroy(reason);
  }

  private async receive(tag: number, length: number): Promise<Float32Array> {
    const frame = await this.prev.receive(this.timeoutMs);
    if (frame.tag !== tag || frame.payload.byteLength !== length * 4) {
      throw new DistError(
        `rank ${this.rank} got collective #${frame.tag} (${frame.payload.byteLength / 4} values) from ${this.prev.peer} while in #${tag} (${length} values): the ranks are out of step`,
      );
    }
    return floatsOf(frame.payload);
  }
}
