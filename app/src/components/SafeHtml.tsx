import DOMPurify from "dompurify";
import { useMemo } from "react";

/** HTML from the API (`bodyHtml`, already sanitised by the server), sanitised once more here
 * so the page never trusts markup it did not check. */
export function SafeHtml({ html, className }: { html: string; className?: string }) {
  const clean = useMemo(() => DOMPurify.sanitize(html, { USE_PROFILES: { html: true } }), [html]);
  return <div className={className} dangerouslySetInnerHTML={{ __html: clean }} />;
}
