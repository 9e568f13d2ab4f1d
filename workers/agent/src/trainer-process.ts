import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { TrainerEvent } from './event-relay.js';

export interface TrainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  terminal: TrainerEvent | null;
  stderrTail: string[];
}

/**
 * One trainer process (or torchrun and its ranks) in its own process group, so a stop reaches every
 * rank. Events are parsed from stdout line by line; stderr is free-form and only its tail is kept.
 */
export class TrainerProcess {
  private readonly child: ChildProcess;
  readonly exited: Promise<TrainerExit>;

  constructor(
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    cwd: string,
    onEvent: (event: TrainerEvent) => void,
  ) {
    this.child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let terminal: TrainerEvent | null = null;
    const stderrTail: string[] = [];
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      let event: TrainerEvent;
      try {
        event = JSON.parse(line) as TrainerEvent;
      } catch {
        stderrTail.push(`(stdout) ${line}`);
        return;
      }
      if (['completed', 'cancelled', 'failed'].includes(event.event)) terminal = event;
      onEvent(event);
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 50) stderrTail.shift();
    });
    this.exited = new Promise((resolve) => {
      this.child.on('error', (error) => {
        stderrTail.push(String(error));
        resolve({ code: null, signal: null, terminal, stderrTail });
      });
      this.child.on('close', (code, signal) => resolve({ code, signal, terminal, stderrTail }));
    });
  }

  /** The process group's id (the group leader's pid), once started. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGTERM: the trainer finishes its step, checkpoints and exits (cancelled). */
  stop() {
    this.signal('SIGTERM');
  }

  kill() {
    this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals) {
    if (this.child.pid === undefined || this.child.exitCode !== null) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      /* already gone */
    }
  }
}
