import { describeError } from "../errors";

/** A failure, in words, announced to screen readers. */
export function ErrorMessage({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div role="alert" className="error">
      <p>{describeError(error)}</p>
      {retry && (
        <button type="button" className="secondary" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** The errors a mutation's payload answered (`errors: [UserError!]!`). */
export function UserErrors({ errors }: { errors: readonly { message: string }[] | undefined }) {
  if (!errors?.length) return null;
  return (
    <div role="alert" className="error">
      {errors.map((error) => (
        <p key={error.message}>{error.message}</p>
      ))}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p aria-busy="true" role="status">
      Loading {what}…
    </p>
  );
}
