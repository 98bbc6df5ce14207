// Who is signed in: the token in local storage, the viewer from the API.
import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";
import { reconnectLive, whenUnauthenticated } from "./apollo";
import { graphql } from "./gql";
import { token } from "./storage";

const VIEWER = graphql(`
  query Viewer {
    viewer {
      id
      name
    }
  }
`);

const SIGN_OUT = graphql(`
  mutation SignOut {
    signOut {
      revoked
      errors {
        code
        message
      }
    }
  }
`);

type Viewer = { id: string; name: string };
type Auth = {
  viewer: Viewer | null;
  /** Keep a token that signUp or signIn answered, and reload everything as that member. */
  signedIn: (issued: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** Set when the server refused a kept token (expired or revoked). */
  sessionEnded: boolean;
};

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const client = useApolloClient();
  const [hasToken, setHasToken] = useState(() => token.get() !== null);
  const [sessionEnded, setSessionEnded] = useState(false);
  const { data } = useQuery(VIEWER, { skip: !hasToken });
  const [signOutMutation] = useMutation(SIGN_OUT);

  useEffect(() => {
    whenUnauthenticated(() => {
      setHasToken(false);
      setSessionEnded(true);
      void client.resetStore();
    });
  }, [client]);

  const signedIn = useCallback(
    async (issued: string) => {
      token.set(issued);
      reconnectLive();
      setHasToken(true);
      setSessionEnded(false);
      await client.resetStore();
    },
    [client],
  );

  const signOut = useCallback(async () => {
    try {
      await signOutMutation();
    } finally {
      token.set(null);
      reconnectLive();
      setHasToken(false);
      await client.resetStore();
    }
  }, [client, signOutMutation]);

  const value = useMemo(
    () => ({ viewer: hasToken ? (data?.viewer ?? null) : null, signedIn, signOut, sessionEnded }),
    [data, hasToken, signedIn, signOut, sessionEnded],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth needs an AuthProvider");
  return auth;
}
