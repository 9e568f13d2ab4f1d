// Servers a fault test owns and may kill: its own Redis and its own PostgreSQL, on free ports. The
// shared ones (127.0.0.1:6379, the suite's PostgreSQL) serve test files running in parallel and are
// never stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded-postgres.js';

/** A TCP port nothing listens on right now (the system picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A `redis-server` of this test's own (no persistence): killed and started again on the same port. */
export class RedisServer {
  private child: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.start();
    return server;
  }

  /** Starts it (again) and resolves once it accepts connections. */
  async start(): Promise<void> {
    const child = spawn(
      '/usr/bin/redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ready to accept connections')) resolve();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-1000)}`)));
    });
  }

  /** SIGKILL: connections drop without a word, what was published meanwhile is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** Embedded PostgreSQL of this test's own in `databaseDir`, stopped (fast shutdown) and started again. */
export class PostgresServer {
  private db: EmbeddedDatabase | null = null;
  private constructor(
    readonly port: number,
    private readonly databaseDir: string,
  ) {}

  static async start(databaseDir: string): Promise<PostgresServer> {
    const server = new PostgresServer(await freePort(), databaseDir);
    await server.start();
    return server;
  }

  async start(): Promise<void> {
    // persistent: the data directory (and its password file) outlive a stop.
    this.db = await startEmbeddedPostgres({ databaseDir: this.databaseDir, port: this.port, persistent: true });
  }

  /** Fast shutdown (SIGINT): sessions are terminated, the server exits; resolves once it is gone. */
  async stop(): Promise<void> {
    await this.db?.stop();
  }

  get adminUrl() {
    return this.db!.adminUrl;
  }
  urlFor(database: string) {
    return this.db!.urlFor(database);
  }
}
