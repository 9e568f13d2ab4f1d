import { toAppError, type AppError } from './graphql/errors';

export interface Page<T> {
  nodes: T[];
  pageInfo: { endCursor?: string | null; hasNextPage: boolean };
  totalCount: number;
}

/**
 * A cursor-paginated list with "Load more". A reload (new search, new filter) supersedes any
 * page still in flight, so a slow old answer never overwrites a newer one.
 */
export class Paginated<T> {
  items = $state<T[]>([]);
  totalCount = $state(0);
  hasNextPage = $state(false);
  loading = $state(false);
  loaded = $state(false);
  error = $state<AppError | null>(null);

  #endCursor: string | null = null;
  #generation = 0;
  /** Bumped by every change to `items`, so a quiet refresh never overwrites a newer list. */
  #version = 0;
  readonly #fetchPage: (after: string | null, first?: number) => Promise<Page<T>>;

  /** `first`, when given, asks for that many items instead of one page (see `refresh`). */
  constructor(fetchPage: (after: string | null, first?: number) => Promise<Page<T>>) {
    this.#fetchPage = fetchPage;
  }

  reload(): Promise<void> {
    this.#generation++;
    this.#endCursor = null;
    return this.#load(true);
  }

  loadMore(): Promise<void> {
    if (this.loading || !this.hasNextPage) return Promise.resolve();
    return this.#load(false);
  }

  /**
   * Re-read everything shown (up to `max` items) in one request, quietly: no loading state, and a
   * failure keeps the old rows. Rows keyed by id then update in place instead of flickering.
   * `key` tells items apart, so rows past `max` that moved into the fresh page are not shown twice.
   * `min` reads at least that many, so a list that grows while shown (a live job's rows) fills its
   * first page instead of staying as short as it was.
   */
  async refresh(key: (item: T) => string, max = 100, min = 1): Promise<void> {
    if (this.loading || !this.loaded) return;
    const generation = this.#generation;
    const version = this.#version;
    const count = Math.min(Math.max(this.items.length, min), max);
    try {
      const page = await this.#fetchPage(null, count);
      if (generation !== this.#generation || version !== this.#version || this.loading) return;
      const fresh = page.nodes.map(key);
      const rest = this.items.slice(count).filter((item) => !fresh.includes(key(item)));
      this.items = [...page.nodes, ...rest];
      this.totalCount = page.totalCount;
      if (rest.length === 0) {
        this.hasNextPage = page.pageInfo.hasNextPage;
        this.#endCursor = page.pageInfo.endCursor ?? null;
      }
      this.#version++;
    } catch {
      // Keep showing what we have; the next refresh tries again.
    }
  }

  /** Replace one item in place (after an edit) without reloading the list. */
  update(match: (item: T) => boolean, next: T): void {
    this.#version++;
    this.items = this.items.map((item) => (match(item) ? next : item));
  }

  remove(match: (item: T) => boolean): void {
    this.#version++;
    const before = this.items.length;
    this.items = this.items.filter((item) => !match(item));
    this.totalCount -= before - this.items.length;
  }

  prepend(item: T): void {
    this.#version++;
    this.items = [item, ...this.items];
    this.totalCount += 1;
  }

  async #load(replace: boolean): Promise<void> {
    const generation = this.#generation;
    this.#version++;
    this.loading = true;
    this.error = null;
    try {
      const page = await this.#fetchPage(replace ? null : this.#endCursor);
      if (generation !== this.#generation) return;
      this.items = replace ? page.nodes : [...this.items, ...page.nodes];
      this.totalCount = page.totalCount;
      this.hasNextPage = page.pageInfo.hasNextPage;
      this.#endCursor = page.pageInfo.endCursor ?? null;
      this.loaded = true;
    } catch (caught) {
      if (generation === this.#generation) this.error = toAppError(caught);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }
}
