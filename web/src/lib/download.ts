import { auth } from '$lib/auth.svelte';
import { filenameFrom } from '$lib/datasets/content-disposition';
import type { AppError } from '$lib/graphql/errors';

async function fetchWithToken(url: string): Promise<Response> {
  const get = () =>
    fetch(url, {
      headers: auth.accessToken ? { authorization: `Bearer ${auth.accessToken}` } : {},
      credentials: 'same-origin',
    });
  const first = await get();
  // The access token may have expired since the page loaded: renew once and try again.
  if (first.status === 401 && (await auth.refresh())) return get();
  return first;
}

async function failure(response: Response): Promise<AppError> {
  let body: { error?: { code?: string; message?: string } } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not JSON: the status says enough.
  }
  const byStatus: Record<number, AppError['code']> = {
    401: 'UNAUTHENTICATED',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    409: 'CONFLICT',
    400: 'BAD_USER_INPUT',
  };
  const code = byStatus[response.status] ?? (response.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'UNKNOWN');
  return { code, message: body.error?.message ?? `HTTP ${response.status}`, fields: {} };
}

/**
 * Downloads a file from an endpoint that wants `Authorization: Bearer`, which a plain link cannot
 * send: the file is fetched here and handed to the browser as an object URL. Throws an AppError.
 */
export async function downloadWithToken(url: string, fallbackName: string): Promise<void> {
  let response: Response;
  try {
    response = await fetchWithToken(url);
  } catch (error) {
    const failed: AppError = { code: 'NETWORK', message: String(error), fields: {} };
    throw failed;
  }
  if (!response.ok) throw await failure(response);
  const blob = await response.blob();
  const name = filenameFrom(response.headers.get('content-disposition')) ?? fallbackName;
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = name;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // Give the browser a moment to start reading the blob before letting it go.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}
