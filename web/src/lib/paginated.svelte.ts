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
  readonly #fetchPage: (after: string | null) => Promise<Page<T>>;

  constructor(fetchPage: (after: string | null) => Promise<Page<T>>) {
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

  /** Replace one item in place (after an edit) without reloading the list. */
  update(match: (item: T) => boolean, next: T): void {
    this.items = this.items.map((item) => (match(item) ? next : item));
  }

  remove(match: (item: T) => boolean): void {
    const before = this.items.length;
    this.items = this.items.filter((item) => !match(item));
    this.totalCount -= before - this.items.length;
  }

  prepend(item: T): void {
    this.items = [item, ...this.items];
    this.totalCount += 1;
  }

  async #load(replace: boolean): Promise<void> {
    const generation = this.#generation;
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
