import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { OperationTypeNode } from 'graphql';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { from, switchMap, throwError } from 'rxjs';
import { auth } from '$lib/auth.svelte';
import { isUnauthenticated, toAppError } from './errors';

/** graphql-ws's documented way to make a live socket reconnect with fresh connectionParams. */
const RESTART_CLOSE_CODE = 4205;

function createWsClient(): WsClient {
  let socket: WebSocket | null = null;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const client = createClient({
    url,
    lazy: true,
    connectionParams: () => {
      const token = auth.accessToken;
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    on: {
      connected: (s) => {
        socket = s as WebSocket;
      },
      closed: () => {
        socket = null;
      },
    },
  });
  // The server authenticates a socket when it connects; after a refresh or sign-out an open one
  // would keep the old identity, so make it reconnect (subscriptions resume by themselves).
  auth.onTokenChange(() => {
    if (socket?.readyState === WebSocket.OPEN) socket.close(RESTART_CLOSE_CODE, 'Token changed');
  });
  return client;
}

function createApolloClient(): ApolloClient {
  const authLink = new SetContextLink((prev) => {
    const token = auth.accessToken;
    return token ? { headers: { ...prev.headers, authorization: `Bearer ${token}` } } : {};
  });

  // An access token can expire between two requests: renew it once, then replay the operation.
  const refreshLink = new ErrorLink(({ error, operation, forward }) => {
    if (!CombinedGraphQLErrors.is(error) || !isUnauthenticated(error)) return;
    if (operation.getContext().retriedAfterRefresh || !auth.accessToken) return;
    operation.setContext({ retriedAfterRefresh: true });
    return from(auth.refresh()).pipe(switchMap((renewed) => (renewed ? forward(operation) : throwError(() => error))));
  });

  // Apollo's CSRF prevention refuses GET and text/plain; HttpLink POSTs application/json.
  const httpLink = new HttpLink({ uri: '/graphql', credentials: 'same-origin' });
  const wsLink = new GraphQLWsLink(createWsClient());

  const link = ApolloLink.split(
    (operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION,
    wsLink,
    ApolloLink.from([refreshLink, authLink, httpLink]),
  );

  return new ApolloClient({
    link,
    cache: new InMemoryCache(),
    // Pages load what they show when they open; nothing relies on cached reads yet.
    defaultOptions: {
      query: { fetchPolicy: 'no-cache' },
      watchQuery: { fetchPolicy: 'no-cache' },
      mutate: { fetchPolicy: 'no-cache' },
    },
  });
}

let client: ApolloClient | null = null;

/** The one Apollo client, created on first use (in the browser only). */
export function getClient(): ApolloClient {
  client ??= createApolloClient();
  return client;
}

/** Runs a query and returns its data; throws an `AppError`. */
export async function query<TData, TVariables extends Record<string, unknown>>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): Promise<TData> {
  try {
    const result = await getClient().query({ query: document, variables } as ApolloClient.QueryOptions<
      TData,
      TVariables
    >);
    if (result.error) throw result.error;
    if (result.data === undefined) throw new Error('No data');
    return result.data as TData;
  } catch (error) {
    throw toAppError(error);
  }
}

/** Runs a mutation and returns its data; throws an `AppError`. */
export async function mutate<TData, TVariables extends Record<string, unknown>>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
): Promise<TData> {
  try {
    const result = await getClient().mutate({ mutation: document, variables } as ApolloClient.MutateOptions<
      TData,
      TVariables
    >);
    if (result.error) throw result.error;
    if (result.data === undefined || result.data === null) throw new Error('No data');
    return result.data as TData;
  } catch (error) {
    throw toAppError(error);
  }
}
