// Rendezvous: rank 0 listens at MASTER_ADDR:MASTER_PORT; every other rank connects there and
// says who it is, its world size, its plan hash and the port of its own ring listener. Rank 0
// checks that all agree and answers everyone with the ring's addresses (or the one-line reason
// to stop, which every rank then raises); each rank connects to the next and accepts the previous.
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { DistError } from "../errors.ts";
import { FramedSocket, receiveJson, sendJson } from "./frames.ts";
import { Ring } from "./ring.ts";

export interface RendezvousOptions {
  rank: number;
  worldSize: number;
  masterAddr: string;
  masterPort: number;
  /** What must agree between ranks (the pipeline's plan hash); a mismatch stops every rank. */
  planHash: string;
  /** Longest wait for the other ranks to arrive, in milliseconds. */
  connectTimeoutMs: number;
  /** Longest wait for a peer's data in a collective, in milliseconds. */
  timeoutMs: number;
}

interface Hello {
  rank: number;
  worldSize: number;
  planHash: string;
  ringPort: number;
}

type Answer = { ok: true; peers: { host: string; port: number }[] } | { ok: false; error: string };

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1)$/;

/** Interface to listen on: the loopback address itself when the rendezvous is local, else all. */
function bindHost(masterAddr: string): string {
  return LOOPBACK.test(masterAddr) ? masterAddr : "0.0.0.0";
}

function listen(server: Server, port: number, host: string, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(new DistError(`cannot listen on ${host}:${port} for ${what} (${error.code ?? error.message})`)),
    );
    server.listen(port, host, () => resolve((server.address() as { port: number }).port));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Connects to `host:port`, retrying refused connections until `deadline` (ms since epoch). */
async function connectUntil(host: string, port: number, deadline: number, who: string): Promise<Socket> {
  let last = "no attempt";
  while (Date.now() < deadline) {
    const socket = await new Promise<Socket | string>((resolve) => {
      const s = tcpConnect({ host, port, timeout: Math.max(1, deadline - Date.now()) });
      s.once("connect", () => {
        s.setTimeout(0);
        s.removeAllListeners("error");
        resolve(s);
      });
      s.once("timeout", () => {
        s.destroy();
        resolve("timed out");
      });
      s.once("error", (error: NodeJS.ErrnoException) => resolve(`connect ${error.code ?? error.message}`));
    });
    if (typeof socket !== "string") return socket;
    last = socket;
    await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
  }
  throw new DistError(`${who} could not reach ${host}:${port} in time (${last})`);
}

/** Queues `server`'s connections (several may arrive in one tick) and hands them out in order. */
function acceptor(server: Server): (deadline: number, what: string) => Promise<Socket> {
  const queued: Socket[] = [];
  const waiting: ((socket: Socket) => void)[] = [];
  server.on("connection", (socket) => {
    const take = waiting.shift();
    if (take) take(socket);
    else queued.push(socket);
  });
  return (deadline, what) => {
    const ready = queued.shift();
    if (ready) return Promise.resolve(ready);
    const seconds = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    return new Promise((resolve, reject) => {
      const take = (socket: Socket) => {
        clearTimeout(timer);
        resolve(socket);
      };
      const timer = setTimeout(
        () => {
          waiting.splice(waiting.indexOf(take), 1);
          reject(new DistError(`${what} did not connect within ${seconds} s`));
        },
        Math.max(0, deadline - Date.now()),
      );
      // A rank that gives up elsewhere must not stay alive for this wait.
      timer.unref();
      waiting.push(take);
    });
  };
}

function check(hellos: Hello[], worldSize: number): string | null {
  const first = hellos[0] as Hello;
  for (const hello of hellos) {
    if (hello.worldSize !== worldSize)
      return `rank ${hello.rank} was started with world size ${hello.worldSize}, rank 0 with ${worldSize}`;
    if (hello.planHash !== first.planHash)
      return `plan mismatch between ranks: rank ${hello.rank} has plan hash ${hello.planHash}, rank 0 has ${first.planHash}; start every rank with the same data and settings`;
  }
  return null;
}

/** Rank 0: collects every rank's hello at the master port and answers all of them. */
async function host(options: RendezvousOptions, ringPort: number, deadline: number): Promise<Answer> {
  const server = createServer();
  const bind = bindHost(options.masterAddr);
  const accept = acceptor(server);
  await listen(server, options.masterPort, bind, "the rendezvous");
  const clients = new Map<number, { socket: FramedSocket; hello: Hello; host: string }>();
  try {
    let error: string | null = null;
    while (clients.size < options.worldSize - 1 && error === null) {
      const missing = Array.from({ length: options.worldSize - 1 }, (_, i) => i + 1).filter(
        (r) => !clients.has(r),
      );
      const socket = await accept(deadline, `rank(s) ${missing.join(", ")} of ${options.worldSize}`).catch(
        (failure: Error) => {
          throw new DistError(
            `rendezvous at ${options.masterAddr}:${options.masterPort}: ${failure.message}`,
          );
        },
      );
      const framed = new FramedSocket(socket, `a rank at ${socket.remoteAddress}`);
      const hello = await receiveJson<Hello>(framed, Math.max(1, deadline - Date.now()));
      if (hello.rank < 1 || hello.rank >= options.worldSize || clients.has(hello.rank)) {
        error = `two ranks claim rank ${hello.rank} (or it is outside 1..${options.worldSize - 1}); check RANK / JOB_COMPLETION_INDEX`;
      }
      clients.set(hello.rank, {
        socket: framed,
        hello,
        host: (socket.remoteAddress ?? "").replace(/^::ffff:/, ""),
      });
    }
    const hellos = [
      { rank: 0, worldSize: options.worldSize, planHash: options.planHash, ringPort },
      ...[...clients.values()].map((c) => c.hello),
    ];
    error ??= check(hellos, options.worldSize);
    const peers = Array.from({ length: options.worldSize }, (_, r) =>
      r === 0
        ? { host: "", port: ringPort }
        : { host: clients.get(r)?.host ?? "", port: clients.get(r)?.hello.ringPort ?? 0 },
    );
    const answer: Answer = error === null ? { ok: true, peers } : { ok: false, error };
    for (const client of clients.values()) sendJson(client.socket, answer);
    return answer;
  } finally {
    for (const client of clients.values()) client.socket.close();
    server.close();
  }
}

/**
 * Joins the ranks of a run and returns this rank's ring. Throws `DistError` with one line when
 * a rank does not arrive in time (the address tried is named), or the ranks' plans differ.
 */
export async function rendezvous(options: RendezvousOptions): Promise<Ring> {
  const { rank, worldSize, masterAddr, masterPort } = options;
  const deadline = Date.now() + options.connectTimeoutMs;
  const ringServer = createServer();
  try {
    const accept = acceptor(ringServer);
    const ringPort = await listen(ringServer, 0, bindHost(masterAddr), "the ring");
    const inbound = accept(deadline, `rank ${(rank + worldSize - 1) % worldSize} (the previous in the ring)`);
    inbound.catch(() => {});
    let answer: Answer;
    if (rank === 0) {
      answer = await host(options, ringPort, deadline);
    } else {
      const socket = await connectUntil(masterAddr, masterPort, deadline, `rank ${rank} (rendezvous)`);
      const master = new FramedSocket(socket, `rank 0 at ${masterAddr}:${masterPort}`);
      sendJson(master, { rank, worldSize, planHash: options.planHash, ringPort } satisfies Hello);
      answer = await receiveJson<Answer>(master, Math.max(1, deadline - Date.now()));
      master.close();
    }
    if (!answer.ok) throw new DistError(answer.error);
    const nextRank = (rank + 1) % worldSize;
    const peer = answer.peers[nextRank] as { host: string; port: number };
    const nextHost = nextRank === 0 || peer.host === "" ? masterAddr : peer.host;
    const nextSocket = await connectUntil(
      nextHost,
      peer.port,
      deadline,
      `rank ${rank} (ring to rank ${nextRank})`,
    );
    const prevSocket = await inbound;
    const prevRank = (rank + worldSize - 1) % worldSize;
    let ring: Ring | null = null;
    const lost = (error: Error) => ring?.abort(error);
    // Only the inbound socket interrupts a wait: the next rank may close as soon as it has all it
    // needs, and a lost next rank surfaces on the next send (and, around the ring, as a lost inbound).
    const next = new FramedSocket(nextSocket, `rank ${nextRank} (${nextHost}:${peer.port})`);
    const prev = new FramedSocket(
      prevSocket,
      `rank ${prevRank} (${prevSocket.remoteAddress?.replace(/^::ffff:/, "")})`,
      lost,
    );
    ring = new Ring(rank, worldSize, next, prev, options.timeoutMs);
    return ring;
  } finally {
    ringServer.close();
  }
}
