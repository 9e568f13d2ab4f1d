import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A GraphQL request as it went through the hop. */
export interface Passed {
  operation: string;
  variables: Record<string, any>;
  /** forwarded: the API answered it; refused: it never reached the API; answer-lost: it did, the agent got a 502. */
  fate: 'forwarded' | 'refused' | 'answer-lost';
  /** The API's answer (`data`), when it was reached. */
  answer?: Record<string, any>;
}

type Fault = 'refuse' | 'lose-answer';

const readBody = async (req: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/**
 * A real network hop between the agent and the API, standing in for a network that drops things:
 * it forwards every request, except that chosen GraphQL requests are refused (503, never reaching
 * the API) or reach the API and lose their answer (502), and an operation can be held until
 * released. What passed is in `passed`, in the order the API was reached.
 */
export class FaultyHop {
  readonly passed: Passed[] = [];
  private readonly faults = new Map<string, (Fault | null)[]>();
  private gate: { operation: string; held: () => void; open: Promise<void> } | null = null;
  /** Called before a GraphQL request reaches the API (e.g. to look at the database at that moment). */
  beforeForward: (operation: string, variables: Record<string, any>) => Promise<void> | void = () => {};

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<FaultyHop> {
    let hop: FaultyHop | null = null;
    const server = createServer((req, res) => {
      hop!
        .handle(req, target)
        .then(({ status, type, body }) => res.writeHead(status, { 'content-type': type }).end(body))
        .catch((error: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(error.message));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hop = new FaultyHop(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return hop;
  }

  /** The next requests of `operation` meet these faults, one each, in order (null: passes). */
  inject(operation: string, ...faults: (Fault | null)[]) {
    this.faults.set(operation, [...(this.faults.get(operation) ?? []), ...faults]);
  }

  /** Requests of `operation` wait at the hop until `release()`; `held` resolves when the first one waits. */
  hold(operation: string) {
    let held!: () => void;
    let release!: () => void;
    const heldPromise = new Promise<void>((resolve) => (held = resolve));
    const open = new Promise<void>((resolve) => (release = resolve));
    this.gate = { operation, held, open };
    return {
      held: heldPromise,
      release: () => {
        this.gate = null;
        release();
      },
    };
  }

  /** The batches of `operation` that reached the API, with what it answered. */
  reached(operation: string) {
    return this.passed.filter((p) => p.operation === operation && p.fate !== 'refused');
  }

  close() {
    this.server.closeAllConnections();
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, target: string) {
    const body = await readBody(req);
    let graphql: { operation: string; variables: Record<string, any> } | null = null;
    if (req.url === '/graphql') {
      const { query, variables } = JSON.parse(body.toString()) as { query: string; variables: Record<string, any> };
      graphql = { operation: /(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? '?', variables };
    }
    if (graphql) {
      const gate = this.gate;
      if (gate?.operation === graphql.operation) {
        gate.held();
        await gate.open;
      }
      const fault = this.faults.get(graphql.operation)?.shift();
      if (fault === 'refuse') {
        this.passed.push({ ...graphql, fate: 'refused' });
        return { status: 503, type: 'text/plain', body: 'refused by the test hop' };
      }
      await this.beforeForward(graphql.operation, graphql.variables);
      const answer = await this.forward(req, body, target);
      const data = (JSON.parse(answer.body.toString()) as { data?: Record<string, any> }).data;
      if (fault === 'lose-answer') {
        this.passed.push({ ...graphql, fate: 'answer-lost', answer: data });
        return { status: 502, type: 'text/plain', body: 'answer lost by the test hop' };
      }
      this.passed.push({ ...graphql, fate: 'forwarded', answer: data });
      return answer;
    }
    return this.forward(req, body, target);
  }

  private async forward(req: IncomingMessage, body: Buffer, target: string) {
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(
        ([name]) => !['host', 'connection', 'content-length', 'transfer-encoding'].includes(name),
      ),
    ) as Record<string, string>;
    const res = await fetch(`${target}${req.url}`, {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : new Uint8Array(body),
    });
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? 'application/octet-stream',
      body: Buffer.from(await res.arrayBuffer()),
    };
  }
}
