// Node's graphql-ws and graphql-sse clients against a running groupql, as an app uses them
// (the createClient calls of the README's "Live data" section). Run by
// tests/web/test_node_clients.py:
//
//   node subscribe.mjs '{"url": "http://127.0.0.1:8000/graphql", "articleId": "...",
//                         "token": "...", "unknownId": "..."}'
//
// For each client: subscribe to articleChanged, take the first state, record a view over
// HTTP, take the next state; then a refused subscription's error code. Prints one JSON
// object with what was received, and exits 0; anything unexpected exits 1.
import { createClient as createWsClient } from 'graphql-ws';
import { createClient as createSseClient } from 'graphql-sse';
import WebSocket from 'ws';

const config = JSON.parse(process.argv[2]);
const wsUrl = config.url.replace(/^http/, 'ws');

const ARTICLE_CHANGED = `
  subscription ArticleChanged($ids: [ID!]!) { articleChanged(ids: $ids) { id views } }
`;
const RECORD_VIEW = `
  mutation RecordView($input: RecordArticleViewInput!) {
    recordArticleView(input: $input) { counted }
  }
`;

async function recordView(viewerKey) {
  const response = await fetch(config.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: RECORD_VIEW,
      variables: { input: { articleId: config.articleId, viewerKey } },
    }),
  });
  const body = await response.json();
  if (!body.data?.recordArticleView?.counted) throw new Error(JSON.stringify(body));
}

async function firstAndNext(client, viewerKey) {
  const results = client.iterate({
    query: ARTICLE_CHANGED,
    variables: { ids: [config.articleId] },
  });
  const first = (await results.next()).value;
  await recordView(viewerKey);
  const next = (await results.next()).value;
  await results.return(); // unsubscribe
  return [first.data.articleChanged.views, next.data.articleChanged.views];
}

async function refusedCode(client, ids) {
  try {
    for await (const result of client.iterate({ query: ARTICLE_CHANGED, variables: { ids } })) {
      // graphql-sse: a refusal is a result with errors (the protocol's `next`)
      if (result.errors) return result.errors[0].extensions.code;
      throw new Error(`not refused: ${JSON.stringify(result)}`);
    }
  } catch (error) {
    // graphql-ws: a refusal is an `error` message, thrown as a list of GraphQL errors
    if (Array.isArray(error)) return error[0].extensions.code;
    throw error;
  }
  throw new Error('completed without a result');
}

function closeCode(client) {
  return new Promise((resolve, reject) => {
    client.subscribe(
      { query: ARTICLE_CHANGED, variables: { ids: [config.articleId] } },
      {
        next: (result) => reject(new Error(`not refused: ${JSON.stringify(result)}`)),
        error: (error) => resolve(error.code),
        complete: () => reject(new Error('completed')),
      },
    );
  });
}

const wsClient = createWsClient({
  url: wsUrl,
  webSocketImpl: WebSocket, // Node 20 has no WebSocket of its own; browsers need no such line
  connectionParams: { Authorization: `Bearer ${config.token}` },
});
const sseClient = createSseClient({
  url: config.url,
  headers: { Authorization: `Bearer ${config.token}` },
});
const bogusWsClient = createWsClient({
  url: wsUrl,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: 'Bearer bogus' },
  retryAttempts: 0, // graphql-ws retries 4403 (Forbidden) by default
});

try {
  const received = {
    graphqlWs: await firstAndNext(wsClient, 'node-graphql-ws'),
    graphqlSse: await firstAndNext(sseClient, 'node-graphql-sse'),
    graphqlWsRefused: await refusedCode(wsClient, [config.unknownId]),
    graphqlSseRefused: await refusedCode(sseClient, [config.unknownId]),
    graphqlWsBogusTokenClose: await closeCode(bogusWsClient),
  };
  console.log(JSON.stringify(received));
} finally {
  await wsClient.dispose();
  sseClient.dispose();
  await bogusWsClient.dispose();
}
