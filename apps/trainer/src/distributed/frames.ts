// Length-prefixed binary frames over one TCP socket: an 8-byte header (payload bytes, tag; both
// uint32 little-endian) and the payload. A frame is read whole or not at all; a socket that closes
// or errs fails every pending and later read with one line naming the peer.
import type { Socket } from "node:net";
import { DistError } from "../errors.ts";

const HEADER = 8;

/** One received frame: its tag and its payload (a copy, 4-byte aligned). */
export interface Frame {
  tag: number;
  payload: Uint8Array;
}

interface Waiter {
  resolve(frame: Frame): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** A socket speaking frames; `peer` names the other end in errors ("rank 1 (127.0.0.1:4000)"). */
export class FramedSocket {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes of the frame being received (header included), or -1 before its header. */
  private need = -1;
  private frames: Frame[] = [];
  private waiters: Waiter[] = [];
  private failure: Error | null = null;
  private closing = false;

  constructor(
    readonly socket: Socket,
    public peer: string,
    /** Called once when the connection is lost while still in use. */
    private readonly onLost: (error: Error) => void = () => {},
  ) {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 5_000);
    socket.on("data", (chunk: Buffer) => this.take(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) =>
      this.fail(`lost the connection to ${this.peer} (${error.code ?? error.message})`),
    );
    socket.on("close", () => this.fail(`${this.peer} closed the connection`));
  }

  /** Sends one frame; `payload` is copied into the socket's queue. */
  send(tag: number, payload: Uint8Array | Float32Array): void {
    if (this.failure) throw this.failure;
    const header = Buffer.alloc(HEADER);
    header.writeUInt32LE(payload.byteLength, 0);
    header.writeUInt32LE(tag >>> 0, 4);
    this.socket.write(header);
    this.socket.write(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
  }

  /** The next frame; rejects with `DistError` after `timeoutMs` without one, or when the connection is lost. */
  receive(timeoutMs: number): Promise<Frame> {
    const ready = this.frames.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new DistError(`no data from ${this.peer} for ${timeoutMs / 1000} s`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Ends the connection on purpose: later closes are not failures. */
  close(): void {
    this.closing = true;
    this.socket.end();
    this.socket.destroySoon();
  }

  /** Drops the connection at once (after a failure elsewhere, the `reason` pending reads get), so the peer learns of it. */
  destroy(reason?: Error): void {
    this.closing = true;
    if (reason) this.fail(reason.message);
    this.socket.destroy();
  }

  private take(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < HEADER) return;
        const first = this.chunks[0] as Buffer;
        const head = first.length >= HEADER ? first : this.joined();
        this.need = HEADER + head.readUInt32LE(0);
      }
      // Joined once per frame, when it is complete: a large frame arrives in many chunks.
      if (this.buffered < this.need) return;
      const length = this.need - HEADER;
      this.need = -1;
      const all = this.joined();
      const payload = new Uint8Array(length);
      payload.set(all.subarray(HEADER, HEADER + length));
      const frame = { tag: all.readUInt32LE(4), payload };
      const rest = all.subarray(HEADER + length);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      const waiter = this.waiters.shift();
      if (waiter) {
        clearTimeout(waiter.timer);
        waiter.resolve(frame);
      } else this.frames.push(frame);
    }
  }

  private joined(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.buffered)];
    return this.chunks[0] as Buffer;
  }

  private fail(message: string): void {
    if (this.failure) return;
    this.failure = new DistError(message);
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(this.failure);
    }
    if (!this.closing) this.onLost(this.failure);
  }
}

/** The payload as float32 values (a view: payloads are fresh, aligned copies). */
export function floatsOf(payload: Uint8Array): Float32Array {
  if (payload.byteLength % 4 !== 0)
    throw new DistError(`a frame of ${payload.byteLength} bytes is not float32 data`);
  return new Float32Array(payload.buffer, payload.byteOffset, payload.byteLength / 4);
}

/** JSON frames for the rendezvous' few messages. */
export function sendJson(socket: FramedSocket, value: unknown): void {
  socket.send(0, new TextEncoder().encode(JSON.stringify(value)));
}

export async function receiveJson<T>(socket: FramedSocket, timeoutMs: number): Promise<T> {
  const frame = await socket.receive(timeoutMs);
  return JSON.parse(new TextDecoder().decode(frame.payload)) as T;
}
