import {
  createSourceEventStream,
  execute,
  print,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';

/**
 * Fan-out without repeated work. A subscription's source stream (per subscriber: its own access
 * checks, its own gap-free cursor) may yield an event marked `shared`: an object that every
 * subscriber of that run receives as is, whose fields resolve from the object alone, never from the
 * subscriber's context. Such an event is executed once per distinct selection (document, variables,
 * operation) and the result handed to every subscriber that selected the same; other events are
 * executed per subscriber as usual. Only context-free payloads (metric points, log lines) are marked.
 */
const shareable = new WeakSet<object>();
const results = new WeakMap<object, Map<string, ExecutionResult | Promise<ExecutionResult>>>();
const documentKeys = new WeakMap<DocumentNode, string>();
const views = new WeakMap<object, Map<string, { view: object; items: unknown[] }>>();
let executions = 0;

/** Marks an event as context-free: identical subscribers may share its execution. */
export function shared<T extends object>(event: T): T {
  shareable.add(event);
  return event;
}

/**
 * A view of `source` for one selection of its contents (e.g. the points of some metric keys): the
 * same shared object for every subscriber whose view came out with the same items, a new unshared
 * one for a subscriber whose view differs (its cursor skipped some).
 */
export function sharedView<T extends object, I>(source: object, key: string, items: I[], make: (items: I[]) => T): T {
  let byKey = views.get(source);
  if (!byKey) views.set(source, (byKey = new Map()));
  const known = byKey.get(key);
  if (known && known.items.length === items.length && known.items.every((x, i) => x === items[i]))
    return known.view as T;
  const view = make(items);
  if (!known) byKey.set(key, { view: shared(view), items });
  return view;
}

/** How many times an event was executed (for tests of the fan-out). */
export const sharedExecutionStats = () => ({ executions });

function selectionKey(args: ExecutionArgs) {
  let doc = documentKeys.get(args.document);
  if (doc === undefined) documentKeys.set(args.document, (doc = print(args.document)));
  return `${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}\u0000${doc}`;
}

function executeEvent(args: ExecutionArgs, event: unknown) {
  const run = () => {
    executions += 1;
    return execute({ ...args, rootValue: event }) as ExecutionResult | Promise<ExecutionResult>;
  };
  if (typeof event !== 'object' || event === null || !shareable.has(event)) return run();
  let bySelection = results.get(event);
  if (!bySelection) results.set(event, (bySelection = new Map()));
  const key = selectionKey(args);
  let result = bySelection.get(key);
  if (!result) bySelection.set(key, (result = run()));
  return result;
}

/**
 * graphql-ws's `subscribe`: graphql-js's own source stream, each event mapped through
 * `executeEvent`. A hand-written iterator, not an async generator, so an unsubscribe reaches the
 * source at once instead of waiting for its next event.
 */
export async function subscribeShared(
  args: ExecutionArgs,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
  const events = source[Symbol.asyncIterator]();
  const done = { done: true as const, value: undefined };
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const next = await events.next();
      return next.done ? done : { done: false, value: await executeEvent(args, next.value) };
    },
    async return() {
      await events.return?.();
      return done;
    },
    async throw(error: unknown) {
      if (events.throw) await events.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
