import type { DatasetVersionStatus } from '$lib/graphql/generated/graphql';

/** The views of one version, in the order of its tab bar; the first is the default. */
export const VERSION_TABS = ['preview', 'validation', 'stats', 'pipeline', 'diff', 'download'] as const;
export type VersionTab = (typeof VERSION_TABS)[number];

export function readTab(value: string | null): VersionTab {
  return (VERSION_TABS as readonly string[]).includes(value ?? '') ? (value as VersionTab) : 'preview';
}

export function statusTone(status: DatasetVersionStatus | string): 'success' | 'warning' | 'danger' {
  return status === 'READY' ? 'success' : status === 'FAILED' ? 'danger' : 'warning';
}

/** A readable stand-in for an id nobody has a name for: its first characters. */
export const shortId = (id: string) => id.slice(0, 8);

/** Where a dataset's pages live; components build their links from it with `resolve()`. */
export interface DatasetRoute {
  projectId: string;
  datasetId: string;
}
