import { useState } from "react";

/** An article's cover image with its caption; the caption alone when the image cannot load
 * (offline, a broken link). */
export function Cover({ image }: { image: { url: string; caption: string | null } | null }) {
  const [failed, setFailed] = useState(false);
  if (!image) return null;
  return (
    <figure className="cover">
      {failed ? (
        <div className="cover-missing" aria-hidden="true" />
      ) : (
        <img src={image.url} alt={image.caption ?? ""} loading="lazy" onError={() => setFailed(true)} />
      )}
      {image.caption && <figcaption>{image.caption}</figcaption>}
    </figure>
  );
}
