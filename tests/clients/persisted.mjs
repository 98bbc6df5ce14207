// Apollo Client's persisted-query link (PersistedQueryLink + HttpLink, as the README's
// "Persisted queries" section shows it) against a running groupql. Run by
// tests/web/test_node_clients.py:
//
//   node persisted.mjs '{"url": "http://127.0.0.1:8000/graphql", "slug": "..."}'
//
// Sends the same query twice over POST, then another query twice with
// useGETForHashedQueries. Prints one JSON object: each answer's data, and every HTTP
// request the link made (its method, whether it carried the query and the hash, the error
// code of its answer); anything unexpected exits 1.
import { createHash } from 'node:crypto';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';

const config = JSON.parse(process.argv[2]);

const GROUP_NAME = gql`
  query GroupName($slug: String!) {
    group(slug: $slug) { name }
  }
`;
const GROUP_COUNT = gql`
  query GroupMembers($slug: String!) {
    group(slug: $slug) { memberCount }
  }
`;

const requests = [];

async function recordingFetch(url, options) {
  const response = await fetch(url, options);
  const sent = options.method === 'GET'
    ? Object.fromEntries(new URL(url).searchParams)
    : JSON.parse(options.body);
  const extensions = typeof sent.extensions === 'string' ? JSON.parse(sent.extensions) : sent.extensions;
  const body = await response.clone().json();
  requests.push({
    method: options.method,
    query: typeof sent.query === 'string',
    hash: Boolean(extensions?.persistedQuery?.sha256Hash),
    code: body.errors?.[0]?.extensions?.code ?? null,
  });
  return response;
}

function client(useGETForHashedQueries) {
  const sha256 = (text) => createHash('sha256').update(text).digest('hex');
  return new ApolloClient({
    link: ApolloLink.from([
      new PersistedQueryLink({ sha256, useGETForHashedQueries }),
      new HttpLink({ uri: config.url, fetch: recordingFetch }),
    ]),
    cache: new InMemoryCache(),
    defaultOptions: { query: { fetchPolicy: 'no-cache' } },
  });
}

async function twice(apollo, query) {
  const answers = [];
  for (let i = 0; i < 2; i += 1) {
    const { data, error } = await apollo.query({ query, variables: { slug: config.slug } });
    if (error) throw error;
    answers.push(data.group);
  }
  return answers;
}

try {
  const post = await twice(client(false), GROUP_NAME);
  const get = await twice(client(true), GROUP_COUNT);
  console.log(JSON.stringify({ post, get, requests }));
} catch (error) {
  console.error(error);
  process.exit(1);
}
