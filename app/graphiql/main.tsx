// GraphiQL, bundled from npm into dist/ so it works offline. The server fills in the
// configuration (endpoint, example query and variables) where graphiql.html says
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
const fetcher = createGraphiQLFetcher({ url: config.endpoint ?? "/graphql" });

createRoot(document.getElementById("graphiql")!).render(
  <GraphiQL
    fetcher={fetcher}
    defaultQuery={config.query}
    query={parameters.get("query") ?? undefined}
    variables={parameters.get("variables") ?? config.variables}
  />,
);
