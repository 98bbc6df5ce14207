// Sign up and sign in: the token the API answers is kept in local storage.
import { useMutation } from "@apollo/client/react";
import { useId } from "react";
import type { ReactNode } from "react";
import { Link, useLocation, useSearch } from "wouter";
import { useAuth } from "../auth";
import { ErrorMessage } from "../components/ErrorMessage";
import { PageHeading } from "../components/PageHeading";
import { graphql } from "../gql";

const SIGN_IN = graphql(`
  mutation SignIn($input: SignInInput!) {
    signIn(input: $input) {
      token
      member {
        id
        name
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

const SIGN_UP = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      token
      member {
        id
        name
      }
      errors {
        field
        code
        message
      }
    }
  }
`);

type FieldError = { field: readonly string[] | null; message: string };

/** Where to go once signed in: `?next=` when it is a path of this app, else the groups. */
function useNext(): string {
  const next = new URLSearchParams(useSearch()).get("next");
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/";
}

function Field({
  name,
  label,
  type,
  autoComplete,
  errors,
  hint,
}: {
  name: string;
  label: string;
  type: string;
  autoComplete: string;
  errors: readonly FieldError[];
  hint?: string;
}) {
  const id = useId();
  const mine = errors.filter((error) => error.field?.at(-1) === name);
  const described = [hint && `${id}-hint`, mine.length > 0 && `${id}-error`].filter(Boolean);
  return (
    <label htmlFor={id}>
      {label}
      <input
        id={id}
        name={name}
        type={type}
        required
        autoComplete={autoComplete}
        aria-invalid={mine.length > 0 ? true : undefined}
        aria-describedby={described.length ? described.join(" ") : undefined}
      />
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      {mine.length > 0 && (
        <small id={`${id}-error`} className="field-error">
          {mine.map((error) => error.message).join(" ")}
        </small>
      )}
    </label>
  );
}

function AccountForm({
  title,
  submit,
  busy,
  errors,
  error,
  children,
  footer,
}: {
  title: string;
  submit: (form: FormData) => void;
  busy: boolean;
  errors: readonly FieldError[];
  error: unknown;
  children: ReactNode;
  footer: ReactNode;
}) {
  const general = errors.filter((e) => !e.field || e.field.length < 2);
  return (
    <section className="account">
      <PageHeading title={title} />
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit(new FormData(event.currentTarget));
        }}
      >
        {children}
        {general.length > 0 && (
          <div role="alert" className="error">
            {general.map((e) => (
              <p key={e.message}>{e.message}</p>
            ))}
          </div>
        )}
        {error !== undefined && <ErrorMessage error={error} />}
        <button type="submit" disabled={busy} aria-busy={busy}>
          {title}
        </button>
      </form>
      <p>{footer}</p>
    </section>
  );
}

export function SignIn() {
  const { signedIn } = useAuth();
  const [, navigate] = useLocation();
  const next = useNext();
  const [signIn, { data, loading, error }] = useMutation(SIGN_IN);
  return (
    <AccountForm
      title="Sign in"
      busy={loading}
      errors={data?.signIn.errors ?? []}
      error={error}
      submit={(form) =>
        void signIn({
          variables: {
            input: { email: String(form.get("email")), password: String(form.get("password")) },
          },
        }).then(async (result) => {
          const issued = result.data?.signIn.token;
          if (issued) {
            await signedIn(issued);
            navigate(next);
          }
        })
      }
      footer={
        <>
          New here? <Link href={`/sign-up?next=${encodeURIComponent(next)}`}>Create an account</Link>.
        </>
      }
    >
      <Field name="email" label="Email" type="email" autoComplete="username" errors={data?.signIn.errors ?? []} />
      <Field
        name="password"
        label="Password"
        type="password"
        autoComplete="current-password"
        errors={data?.signIn.errors ?? []}
      />
    </AccountForm>
  );
}

export function SignUp() {
  const { signedIn } = useAuth();
  const [, navigate] = useLocation();
  const next = useNext();
  const [signUp, { data, loading, error }] = useMutation(SIGN_UP);
  const errors = data?.signUp.errors ?? [];
  return (
    <AccountForm
      title="Create account"
      busy={loading}
      errors={errors}
      error={error}
      submit={(form) =>
        void signUp({
          variables: {
            input: {
              name: String(form.get("name")),
              email: String(form.get("email")),
              password: String(form.get("password")),
            },
          },
        }).then(async (result) => {
          const issued = result.data?.signUp.token;
          if (issued) {
            await signedIn(issued);
            navigate(next);
          }
        })
      }
      footer={
        <>
          Have an account? <Link href={`/sign-in?next=${encodeURIComponent(next)}`}>Sign in</Link>.
        </>
      }
    >
      <Field name="name" label="Name" type="text" autoComplete="name" errors={errors} />
      <Field name="email" label="Email" type="email" autoComplete="email" errors={errors} />
      <Field
        name="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        errors={errors}
        hint="At least ten characters."
      />
    </AccountForm>
  );
}
