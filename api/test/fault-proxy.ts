import { createServer, connect, type Server, type Socket } from 'node:net';

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence of faults. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultProxyOptions {
  /** Where connections go: the API's port on 127.0.0.1. */
  targetPort: number;
  seed: number;
  /** Share of connections reset as soon as they are accepted. */
  dropRate: number;
  /**
   * Every connection that is not dropped is cut, both ways, at a random moment within this long of its
   * opening (keep-alive connections would otherwise carry everything once one had escaped its cut)…
   */
  maxLifeMs: number;
  /**
   * …and this share of them also once a random number of bytes, up to `maxLifeBytes`, has gone through
   * (both ways), mid-chunk: small transfers are cut half-way, and bigger ones go through the others.
   */
  byteCutRate: number;
  maxLifeBytes: number;
  /** Each chunk, each way, waits up to this long (order kept). */
  maxDelayMs: number;
}

/** One proxied connection: its two sockets and what it has left to live. */
interface Link {
  client: Socket;
  upstream: Socket;
  bytesLeft: number;
  /** A request went out and its response has not begun. */
  awaiting: boolean;
  timer?: NodeJS.Timeout;
}

/**
 * A TCP proxy that makes the network bad, for tests: it delays every chunk, resets some connections
 * outright and cuts the others after a random lifetime in time or bytes (mid-request, mid-response,
 * mid-upload as it falls), at random from a seed.
 */
export class FaultProxy {
  readonly stats = { connections: 0, dropped: 0, cut: 0, cutMidRequest: 0, cutMidChunk: 0 };
  private readonly links = new Set<Link>();
  /** Decides each connection's fate; delays draw from their own sequence, so fates do not depend on traffic. */
  private readonly random: () => number;
  private readonly delays: () => number;

  private constructor(
    private readonly server: Server,
    private readonly options: FaultProxyOptions,
  ) {
    this.random = seeded(options.seed);
    this.delays = seeded(options.seed ^ 0x9e3779b9);
  }

  static async start(options: FaultProxyOptions): Promise<FaultProxy> {
    const server = createServer();
    const proxy = new FaultProxy(server, options);
    server.on('connection', (client) => proxy.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url() {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  private accept(client: Socket) {
    const { options, random, stats } = this;
    stats.connections++;
    // Every connection draws all its numbers, so one decision does not shift the others.
    const [drop, life, byteCut, bytes] = [random(), random(), random(), random()];
    if (drop < options.dropRate) {
      stats.dropped++;
      client.resetAndDestroy();
      return;
    }
    const link: Link = {
      client,
      upstream: connect(options.targetPort, '127.0.0.1'),
      bytesLeft: byteCut < options.byteCutRate ? Math.floor(bytes * options.maxLifeBytes) : Infinity,
      awaiting: false,
    };
    this.links.add(link);
    link.timer = setTimeout(() => this.cut(link), life * options.maxLifeMs);
    this.relay(link, client, link.upstream, true);
    this.relay(link, link.upstream, client, false);
    // An orderly end travels on (after the chunks before it); a reset or error closes both sides.
    for (const s of [client, link.upstream]) {
      s.on('error', () => this.sever(link));
      s.on('close', () => client.destroyed && link.upstream.destroyed && this.sever(link));
    }
  }

  private cut(link: Link) {
    this.stats.cut++;
    if (link.awaiting) this.stats.cutMidRequest++;
    this.sever(link);
  }

  private sever(link: Link) {
    clearTimeout(link.timer);
    link.client.destroy();
    link.upstream.destroy();
    this.links.delete(link);
  }

  /** Copies `from` to `to`, each chunk after its own random delay, in order, within the link's byte budget. */
  private relay(link: Link, from: Socket, to: Socket, request: boolean) {
    const queue: { at: number; chunk: Buffer }[] = [];
    let timer: NodeJS.Timeout | null = null;
    let ended = false;
    const drain = () => {
      timer = null;
      while (queue.length && queue[0]!.at <= Date.now()) {
        const { chunk } = queue.shift()!;
        if (to.destroyed) continue;
        if (chunk.length > link.bytesLeft) {
          to.write(chunk.subarray(0, link.bytesLeft));
          this.stats.cutMidChunk++;
          return this.cut(link);
        }
        link.bytesLeft -= chunk.length;
        to.write(chunk);
      }
      if (queue.length) timer = setTimeout(drain, queue[0]!.at - Date.now());
      else if (ended && !to.destroyed) to.end();
    };
    from.on('data', (chunk: Buffer) => {
      link.awaiting = request;
      const at = Math.max(queue.at(-1)?.at ?? 0, Date.now() + this.delays() * this.options.maxDelayMs);
      queue.push({ at, chunk });
      timer ??= setTimeout(drain, at - Date.now());
    });
    from.on('end', () => {
      ended = true;
      timer ??= setTimeout(drain, 0);
    });
  }

  async close() {
    for (const link of this.links) this.sever(link);
    await new Promise((resolve) => this.server.close(resolve));
  }
}
