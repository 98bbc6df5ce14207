import { ApolloProvider } from "@apollo/client/react";
import "@picocss/pico/css/pico.min.css";
import { Component, StrictMode } from "react";
import type { ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { createClient } from "./apollo";
import { App } from "./App";
import { AuthProvider } from "./auth";
import "./app.css";

/** The last line of defence: a failure while drawing a page is said in words. */
class Failure extends Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  render() {
    if (!this.state.error) return this.props.children;
    return (
      <main className="container" role="alert">
        <h1>Something went wrong</h1>
        <p>The page could not be shown: {this.state.error.message}</p>
        <p>
          <a href="/">Start again from the groups</a>
        </p>
      </main>
    );
  }
}

const client = createClient();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Failure>
      <ApolloProvider client={client}>
        <AuthProvider>
          <App />
        </AuthProvider>
      </ApolloProvider>
    </Failure>
  </StrictMode>,
);
