import { RunRowUpdatedDocument, type RunListFieldsFragment } from '$lib/graphql/generated/graphql';
import { follow } from './follow';
import { isRunFinished } from './status';

/** More open subscriptions than this per page would cost the server more than a refresh does. */
const MAX_FOLLOWED = 50;

/**
 * Keeps the unfinished runs of a list live: one runUpdated subscription per visible unfinished
 * run (the server ends each when its run ends). Call `sync` with the rows shown whenever they
 * change, `stop` when the page goes.
 */
export class LiveRuns {
  #followed = new Map<string, () => void>();
  readonly #onupdate: (run: RunListFieldsFragment) => void;

  constructor(onupdate: (run: RunListFieldsFragment) => void) {
    this.#onupdate = onupdate;
  }

  sync(rows: readonly Pick<RunListFieldsFragment, 'id' | 'status'>[]): void {
    const wanted = new Set(
      rows
        .filter((r) => !isRunFinished(r.status))
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
      const stop = follow(
        RunRowUpdatedDocument,
        { id },
        {
          next: (data) => this.#onupdate(data.runUpdated),
          // Dropped (ended, or the socket failed): the next sync may follow it again if unfinished.
          complete: () => this.#followed.delete(id),
          error: () => this.#followed.delete(id),
        },
      );
      this.#followed.set(id, stop);
    }
  }

  stop(): void {
    for (const stop of this.#followed.values()) stop();
    this.#followed.clear();
  }
}
