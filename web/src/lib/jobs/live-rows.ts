import type { FollowHandlers } from '$lib/graphql/follow';
import { isFinished, type JobStatus } from './status';

/** More open subscriptions than this per page would cost the server more than a refresh does. */
const MAX_FOLLOWED = 50;

/** Subscribes to one row's updates and returns the function that stops it (see `follow`). */
export type FollowRow<T> = (
  id: string,
  handlers: Required<Pick<FollowHandlers<T>, 'next' | 'error' | 'complete'>>,
) => () => void;

/**
 * Keeps the unfinished jobs of a list live (runs, evaluations): one subscription per visible
 * unfinished row (the server ends each when its job ends). Call `sync` with the rows shown whenever
 * they change, `stop` when the page goes.
 */
export class LiveRows<T> {
  #followed = new Map<string, () => void>();
  readonly #follow: FollowRow<T>;
  readonly #onupdate: (row: T) => void;

  constructor(follow: FollowRow<T>, onupdate: (row: T) => void) {
    this.#follow = follow;
    this.#onupdate = onupdate;
  }

  sync(rows: readonly { id: string; status: JobStatus }[]): void {
    const wanted = new Set(
      rows
        .filter((r) => !isFinished(r.status))
        .slice(0, MAX_FOLLOWED)
        .map((r) => r.id),
    );
    for (const [id, stop] of this.#followed) {
      if (wanted.has(id)) continue;
      stop();
      this.#followed.delete(id);
    }
    for (const id of wanted) {
      if (this.#followed.has(id)) continue;
      const stop = this.#follow(id, {
        next: (row) => this.#onupdate(row),
        // Dropped (ended, or the socket failed): the next sync may follow it again if unfinished.
        complete: () => this.#followed.delete(id),
        error: () => this.#followed.delete(id),
      });
      this.#followed.set(id, stop);
    }
  }

  stop(): void {
    for (const stop of this.#followed.values()) stop();
    this.#followed.clear();
  }
}

/**
 * Re-reads a list every `ms` while the tab is visible, and at once when it becomes visible again
 * (jobs started elsewhere appear). Returns the function that stops it.
 */
export function refreshWhileVisible(refresh: () => void, ms: number): () => void {
  const tick = () => {
    if (document.visibilityState === 'visible') refresh();
  };
  const timer = setInterval(tick, ms);
  document.addEventListener('visibilitychange', tick);
  return () => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', tick);
  };
}
