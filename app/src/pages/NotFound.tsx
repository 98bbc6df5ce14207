import { Link } from "wouter";
import { PageHeading } from "../components/PageHeading";

/** What the API answered null for, or a path the app does not know. */
export function NotFound({ what = "page" }: { what?: string }) {
  return (
    <>
      <PageHeading title={`No such ${what}`} />
      <p>
        There is no {what} here, or it is not visible to you. <Link href="/">See every group</Link>.
      </p>
    </>
  );
}
