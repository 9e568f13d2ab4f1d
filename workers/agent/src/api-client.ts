import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TypedDocumentString } from './graphql/generated/graphql.js';

/** An error the API answered with (`extensions.code`), as opposed to not answering at all. */
export class ApiError extends Error {
  constructor(
    public readonly code: string,
    message: string,
  ) {
    super(message);
  }
  get leaseLost() {
    return this.code === 'LEASE_LOST';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * GraphQL over HTTP and the binary endpoints, with the worker token. Network failures and 5xx are
 * retried with exponential backoff (the API may be restarting); answers with an error code are not.
 */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly maxWaitMs = 5 * 60_000,
  ) {}

  private async withRetry<T>(call: () => Promise<T>): Promise<T> {
    let delay = 200;
    const deadline = Date.now() + this.maxWaitMs;
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (error instanceof ApiError || Date.now() + delay > deadline) throw error;
        await sleep(delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  /** One operation of src/graphql/*.graphql: its variables and answer are typed from the schema. */
  graphql<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    variables: TVariables,
  ): Promise<TResult> {
    const body = JSON.stringify({ query: document.toString(), variables });
    return this.withRetry(async () => {
      const res = await fetch(`${this.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body,
      });
      if (res.status >= 502) throw new Error(`HTTP ${res.status}`);
      const answer = (await res.json()) as {
        data?: TResult;
        errors?: { message: string; extensions?: { code?: string } }[];
      };
      if (answer.errors?.length) {
        const [e] = answer.errors;
        if (e.extensions?.code === 'INTERNAL_SERVER_ERROR') throw new Error(e.message);
        throw new ApiError(e.extensions?.code ?? 'UNKNOWN', e.message);
      }
      return answer.data as TResult;
    });
  }

  private headers(attempt: number) {
    return { authorization: `Bearer ${this.token}`, 'x-job-attempt': String(attempt) };
  }

  private async check(res: Response) {
    if (res.ok) return res;
    const text = await res.text();
    let code = `HTTP_${res.status}`;
    let message = text;
    try {
      const parsed = JSON.parse(text) as { error?: { code: string; message: string } };
      if (parsed.error) ({ code, message } = parsed.error);
    } catch {
      /* not JSON */
    }
    if (res.status >= 500) throw new Error(`${code}: ${message}`);
    throw new ApiError(code, message);
  }

  /**
   * GET a binary resource of a held job into `file`. A transfer that breaks off (the connection is cut
   * mid-body) is retried like a request that failed: the file is written again from the start.
   * Resolves to the response's headers (e.g. a model's kind, a checkpoint's step).
   */
  downloadTo(path: string, attempt: number, file: string): Promise<Headers> {
    return this.withRetry(async () => {
      const res = await this.check(await fetch(`${this.baseUrl}${path}`, { headers: this.headers(attempt) }));
      await pipeline(Readable.fromWeb(res.body as never), createWriteStream(file));
      return res.headers;
    });
  }

  /** PUT a file (streamed from disk on each try) to a held job's endpoint. */
  upload<T>(path: string, attempt: number, open: () => Readable): Promise<T> {
    return this.withRetry(async () => {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method: 'PUT',
        headers: { ...this.headers(attempt), 'content-type': 'application/gzip' },
        body: open() as unknown as BodyInit,
        duplex: 'half',
      } as RequestInit);
      return (await (await this.check(res)).json()) as T;
    });
  }
}
