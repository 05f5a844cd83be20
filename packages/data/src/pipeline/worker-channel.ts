import type { Worker } from "node:worker_threads";
import { PipelineError } from "./errors.ts";
import { rebuildError } from "./worker-errors.ts";
import type { SerializedError } from "./worker-protocol.ts";

/** How long a closed worker may take to end by itself before it is terminated. */
const CLOSE_GRACE_MS = 10_000;

/** Who waits for the messages of one request or stream id. */
export interface Listener<Message> {
  onMessage(message: Message): void;
  onFailure(error: Error): void;
}

/** The parent's side of a worker: messages routed by id, failures to every waiter. */
export interface WorkerChannel<ToWorker, FromWorker> {
  readonly closed: boolean;
  track(id: number, listener: Listener<FromWorker>): void;
  untrack(id: number): void;
  send(message: ToWorker, transfer?: ArrayBuffer[]): void;
  /** Sends `message` (none: only waits) and resolves with the one reply for `id`; an error reply rejects. */
  request(id: number, message: ToWorker | null): Promise<FromWorker>;
  close(): Promise<void>;
}

/**
 * Wraps `worker` (named `what` in errors) so both worker kinds route replies, keep the process
 * alive only while something waits, and fail every waiter when the worker dies.
 */
export function openChannel<ToWorker, FromWorker extends { id: number; type: string }>(
  worker: Worker,
  what: string,
): WorkerChannel<ToWorker, FromWorker> {
  const listeners = new Map<number, Listener<FromWorker>>();
  let closed = false;
  const track = (id: number, listener: Listener<FromWorker>) => {
    listeners.set(id, listener);
    worker.ref();
  };
  const untrack = (id: number) => {
    listeners.delete(id);
    if (listeners.size === 0) worker.unref();
  };
  const failAll = (error: Error) => {
    for (const [id, listener] of listeners) {
      untrack(id);
      listener.onFailure(error);
    }
  };
  worker.on("message", (message: FromWorker) => listeners.get(message.id)?.onMessage(message));
  worker.on("error", (error) => failAll(error));
  worker.on("exit", (code) => {
    closed = true;
    failAll(new PipelineError(`the ${what} exited (code ${code})`));
  });
  const send = (message: ToWorker, transfer: ArrayBuffer[] = []) => {
    if (closed) throw new PipelineError(`the ${what} is closed`);
    worker.postMessage(message, transfer);
  };
  return {
    get closed() {
      return closed;
    },
    track,
    untrack,
    send,
    request: (id, message) =>
      new Promise((resolve, reject) => {
        track(id, {
          onMessage(reply) {
            untrack(id);
            if (reply.type === "error")
              reject(rebuildError((reply as unknown as { error: SerializedError }).error));
            else resolve(reply);
          },
          onFailure: reject,
        });
        if (message) send(message);
      }),
    async close() {
      if (closed) return;
      closed = true;
      // The worker is asked to end by itself: terminate() while V8 still compiles on a background
      // thread of the worker can abort the whole process (a Node worker shutdown race), so it
      // is only the fallback for a worker that has not exited after CLOSE_GRACE_MS.
      const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      worker.ref(); // the process waits for the worker's exit
      worker.postMessage({ type: "close", id: 0 });
      const fallback = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
      await exited;
      clearTimeout(fallback);
    },
  };
}

/** One stream's side of a channel: its items queued as they arrive, and its end or failure. */
export interface StreamInbox<Item> {
  readonly queue: Item[];
  readonly ended: boolean;
  /** Why the stream ended early (the worker's error, or the worker died), else null. */
  readonly failure: Error | null;
  /** Sends the stream's start message; later calls do nothing. */
  start(): void;
  /** Resolves once an item is queued or the stream has ended. */
  wait(): Promise<void>;
  /** Asks the worker to stop the stream (when it was started and still runs) and waits for its end. */
  cancel(): Promise<void>;
}

/**
 * The inbox of stream `id`: messages for which `items` returns an array add to the queue, any
 * other ends the stream (an `error` message with its rebuilt error as the failure). Both worker
 * kinds' streams use it; what they do with the queue (credits, memory) stays theirs.
 */
export function streamInbox<ToWorker, FromWorker extends { id: number; type: string }, Item>(
  channel: WorkerChannel<ToWorker, FromWorker>,
  id: number,
  messages: { start: ToWorker; cancel: ToWorker; items(message: FromWorker): readonly Item[] | null },
): StreamInbox<Item> {
  const queue: Item[] = [];
  let started = false;
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const end = (error: Error | null) => {
    ended = true;
    failure = error;
    wake?.();
  };
  const listener: Listener<FromWorker> = {
    onMessage(message) {
      const items = messages.items(message);
      if (items !== null) {
        for (const item of items) queue.push(item);
        wake?.();
        return;
      }
      channel.untrack(id);
      end(
        message.type === "error"
          ? rebuildError((message as unknown as { error: SerializedError }).error)
          : null,
      );
    },
    onFailure: end,
  };
  const untilWoken = () => new Promise<void>((resolve) => (wake = resolve));
  return {
    queue,
    get ended() {
      return ended;
    },
    get failure() {
      return failure;
    },
    start() {
      if (started) return;
      started = true;
      channel.track(id, listener);
      channel.send(messages.start);
    },
    async wait() {
      while (queue.length === 0 && !ended) await untilWoken();
      wake = null;
    },
    async cancel() {
      if (!started || ended || channel.closed) return;
      channel.send(messages.cancel);
      while (!ended) await untilWoken();
    },
  };
}
