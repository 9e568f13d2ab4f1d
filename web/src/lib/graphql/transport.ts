import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationAST, print, type GraphQLFormattedError } from 'graphql';
import { fromGraphQLErrors, toAppError, type AppError } from './errors';

/**
 * A bare POST to /graphql for the session operations (sign in, refresh, sign out). They stay out
 * of the Apollo link chain on purpose: that chain refreshes and retries on UNAUTHENTICATED, which
 * is exactly the answer a failed sign-in or refresh gives.
 */
export async function postGraphQL<TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  accessToken?: string | null,
): Promise<TData> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers,
      credentials: 'same-origin',
      body: JSON.stringify({
        query: print(document),
        operationName: getOperationAST(document)?.name?.value,
        variables,
      }),
    });
  } catch (error) {
    throw toAppError(error);
  }
  let body: { data?: TData | null; errors?: GraphQLFormattedError[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    const failure: AppError = {
      code: response.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'UNKNOWN',
      message: `HTTP ${response.status}`,
      fields: {},
    };
    throw failure;
  }
  if (body.errors?.length || !body.data) {
    throw fromGraphQLErrors(body.errors ?? []);
  }
  return body.data;
}
