import { Link, Route, Switch } from "wouter";
import { useAuth } from "./auth";
import { Article } from "./pages/Article";
import { SignIn, SignUp } from "./pages/Account";
import { Group } from "./pages/Group";
import { Groups } from "./pages/Groups";
import { NotFound } from "./pages/NotFound";

function Account() {
  const { viewer, signOut, sessionEnded } = useAuth();
  if (viewer) {
    return (
      <ul>
        <li>
          <span className="viewer">Signed in as {viewer.name}</span>
        </li>
        <li>
          <button type="button" className="secondary outline" onClick={() => void signOut()}>
            Sign out
          </button>
        </li>
      </ul>
    );
  }
  const here = `${window.location.pathname}${window.location.search}`;
  const next = here.startsWith("/sign-") ? "" : `?next=${encodeURIComponent(here)}`;
  return (
    <ul>
      {sessionEnded && (
        <li role="status" className="hint">
          Your session ended.
        </li>
      )}
      <li>
        <Link href={`/sign-in${next}`}>Sign in</Link>
      </li>
      <li>
        <Link href={`/sign-up${next}`}>Sign up</Link>
      </li>
    </ul>
  );
}

export function App() {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="container site-header">
        <nav aria-label="Main">
          <ul>
            <li>
              <Link href="/" className="brand">
                groupql
              </Link>
            </li>
            <li>
              <Link href="/">Groups</Link>
            </li>
          </ul>
          <Account />
        </nav>
      </header>
      <main id="main" className="container" tabIndex={-1}>
        <Switch>
          <Route path="/">{() => <Groups />}</Route>
          <Route path="/sign-in">{() => <SignIn />}</Route>
          <Route path="/sign-up">{() => <SignUp />}</Route>
          <Route path="/groups/:slug">{(params) => <Group key={params.slug} slug={params.slug} />}</Route>
          <Route path="/groups/:slug/:articleSlug">
            {(params) => (
              <Article
                key={`${params.slug}/${params.articleSlug}`}
                groupSlug={params.slug}
                articleSlug={params.articleSlug}
              />
            )}
          </Route>
          <Route>{() => <NotFound />}</Route>
        </Switch>
      </main>
      <footer className="container site-footer">
        <p>
          Data from the groupql API at <a href="/graphql">/graphql</a> (GraphiQL).
        </p>
      </footer>
    </>
  );
}
