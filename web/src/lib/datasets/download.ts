import { downloadWithToken } from '$lib/download';

export type DownloadFormat = 'jsonl' | 'parquet';

/** Downloads a version in a format (see downloadWithToken). Throws an AppError. */
export async function downloadVersion(downloadUrl: string, format: DownloadFormat, fallbackName: string) {
  const url = format === 'parquet' ? `${downloadUrl}?format=parquet` : downloadUrl;
  await downloadWithToken(url, `${fallbackName}.${format}`);
}
