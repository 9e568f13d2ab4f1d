import { query } from '$lib/graphql/client';
import { toAppError, type AppError } from '$lib/graphql/errors';
import { RunLogsDocument, RunLogsLiveDocument, type RunLogLineFieldsFragment } from '$lib/graphql/generated/graphql';
import { follow } from '$lib/graphql/follow';

const PAGE = 100; // the API pages lists by at most 100
/** Older lines are dropped past this many, so a chatty run cannot fill the tab's memory. */
const KEEP = 5000;

/**
 * A run's log, oldest line first: the newest page, then new lines from the runLogs subscription
 * (which starts after the page's newest id, so nothing is missed or repeated). Older pages load on
 * demand; a search asks the API and is not live.
 */
export class RunLogTail {
  lines = $state.raw<RunLogLineFieldsFragment[]>([]);
  hasOlder = $state(false);
  loading = $state(false);
  error = $state<AppError | null>(null);
  searchResults = $state.raw<RunLogLineFieldsFragment[] | null>(null);
  searchTotal = $state(0);
  #olderCursor: string | null = null;
  #stop: (() => void) | null = null;
  #stopped = false;
  #searchGeneration = 0;
  readonly #runId: string;

  constructor(runId: string) {
    this.#runId = runId;
  }

  async start(live: boolean): Promise<void> {
    this.loading = true;
    try {
      const data = await query(RunLogsDocument, { id: this.#runId, first: PAGE, after: null, search: null });
      if (this.#stopped) return;
      const page = data.run.logs;
      this.lines = [...page.nodes].reverse();
      this.hasOlder = page.pageInfo.hasNextPage;
      this.#olderCursor = page.pageInfo.endCursor ?? null;
      if (live) this.#follow(page.nodes[0]?.id ?? null);
    } catch (caught) {
      this.error = toAppError(caught);
    } finally {
      this.loading = false;
    }
  }

  async loadOlder(): Promise<void> {
    if (!this.hasOlder || this.loading) return;
    this.loading = true;
    try {
      const data = await query(RunLogsDocument, {
        id: this.#runId,
        first: PAGE,
        after: this.#olderCursor,
        search: null,
      });
      const page = data.run.logs;
      this.lines = [...[...page.nodes].reverse(), ...this.lines];
      this.hasOlder = page.pageInfo.hasNextPage;
      this.#olderCursor = page.pageInfo.endCursor ?? null;
    } catch (caught) {
      this.error = toAppError(caught);
    } finally {
      this.loading = false;
    }
  }

  /** Lines containing `text` (newest 100, shown oldest first); empty text ends the search. */
  async search(text: string): Promise<void> {
    const mine = ++this.#searchGeneration;
    if (!text.trim()) {
      this.searchResults = null;
      return;
    }
    try {
      const data = await query(RunLogsDocument, { id: this.#runId, first: PAGE, after: null, search: text.trim() });
      if (mine !== this.#searchGeneration) return;
      this.searchResults = [...data.run.logs.nodes].reverse();
      this.searchTotal = data.run.logs.totalCount;
    } catch (caught) {
      if (mine === this.#searchGeneration) this.error = toAppError(caught);
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#stop?.();
    this.#stop = null;
  }

  #follow(afterId: string | null): void {
    this.#stop = follow(
      RunLogsLiveDocument,
      { runId: this.#runId, afterId },
      {
        next: (data) => {
          const next = [...this.lines, ...data.runLogs.lines];
          this.lines = next.length > KEEP ? next.slice(next.length - KEEP) : next;
        },
        error: (error) => (this.error = error),
      },
    );
  }
}
