// GraphiQL, bundled from npm into dist/ so it works offline. The server fills in the
// configuration (endpoint, example query and variables; subscriptions use the same path over
// WebSocket) where graphiql.html says
// `graphiql-config`; `?query=` and `?variables=` in the address take precedence.
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import "graphiql/style.css";
import "./page.css";
import { createRoot } from "react-dom/client";

type Config = { endpoint: string; query: string; variables: string };

const element = document.getElementById("graphiql-config");
const config = JSON.parse(element?.textContent ?? "{}") as Partial<Config>;
const parameters = new URLSearchParams(window.location.search);
const endpoint = new URL(config.endpoint ?? "/graphql", window.location.href);
const socket = new URL(endpoint);
socket.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";
// Subscriptions go over graphql-transport-ws; the headers tab (say `{"Authorization": "Bearer
// <token>"}`) becomes the socket's connection_init payload.
const fetcher = createGraphiQLFetcher({ url: endpoint.href, subscriptionUrl: socket.href });

createRoot(document.getElementById("graphiql")!).render(
  <GraphiQL
    fetcher={fetcher}
    defaultQuery={config.query}
    query={parameters.get("query") ?? undefined}
    variables={parameters.get("variables") ?? config.variables}
  />,
);
