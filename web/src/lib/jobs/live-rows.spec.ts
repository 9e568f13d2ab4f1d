import { describe, expect, it } from 'vitest';
import { LiveRows, type FollowRow } from './live-rows';
import { jobActions, type JobStatus } from './status';

type Row = { id: string; status: JobStatus };

/** A fake subscription per row: records who is followed and lets the test push events. */
function fakeFollow() {
  const open = new Map<string, Parameters<FollowRow<Row>>[1]>();
  const follow: FollowRow<Row> = (id, handlers) => {
    open.set(id, handlers);
    return () => open.delete(id);
  };
  return { follow, open };
}

describe('LiveRows', () => {
  it('follows the unfinished rows shown, and stops following rows that finished or left', () => {
    const { follow, open } = fakeFollow();
    const updates: Row[] = [];
    const live = new LiveRows<Row>(follow, (row) => updates.push(row));
    live.sync([
      { id: 'a', status: 'RUNNING' },
      { id: 'b', status: 'SUCCEEDED' },
      { id: 'c', status: 'QUEUED' },
    ]);
    expect([...open.keys()]).toEqual(['a', 'c']);
    open.get('a')!.next({ id: 'a', status: 'SUCCEEDED' });
    expect(updates).toEqual([{ id: 'a', status: 'SUCCEEDED' }]);
    live.sync([
      { id: 'a', status: 'SUCCEEDED' },
      { id: 'c', status: 'QUEUED' },
    ]);
    expect([...open.keys()]).toEqual(['c']);
    live.stop();
    expect(open.size).toBe(0);
  });

  it('follows a row again after its stream ended while it is still unfinished (a retry)', () => {
    const { follow, open } = fakeFollow();
    const live = new LiveRows<Row>(follow, () => {});
    const rows: Row[] = [{ id: 'a', status: 'QUEUED' }];
    live.sync(rows);
    const first = open.get('a')!;
    first.complete();
    live.sync(rows);
    expect(open.get('a')).not.toBe(first);
  });
});

describe('jobActions', () => {
  it('offers cancel while a job runs (once), retry when it failed or was cancelled', () => {
    expect(jobActions('RUNNING', false)).toEqual({ cancel: true, retry: false });
    expect(jobActions('RUNNING', true)).toEqual({ cancel: false, retry: false });
    expect(jobActions('FAILED', false)).toEqual({ cancel: false, retry: true });
    expect(jobActions('SUCCEEDED', false)).toEqual({ cancel: false, retry: false });
  });
});
