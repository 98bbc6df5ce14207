// Each page's one <h1>: it names the page in the title bar, and after a client-side
// navigation it takes the focus, so a screen reader announces the new page.
import { useEffect, useRef } from "react";
import type { ReactNode } from "react";

let firstPage = true;

export function PageHeading({
  title,
  id,
  children,
}: {
  title: string;
  id?: string;
  children?: ReactNode;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · groupql`;
    if (firstPage) firstPage = false;
    else heading.current?.focus();
  }, [title]);
  return (
    <h1 ref={heading} id={id} tabIndex={-1} className="page-heading">
      {children ?? title}
    </h1>
  );
}
