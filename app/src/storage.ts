// What the app keeps in this browser's local storage: the sign-in token and the viewer key.
const TOKEN = "groupql.token";
const VIEWER_KEY = "groupql.viewerKey";

function read(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null; // storage disabled (private mode, policy): the app works, signed out
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    // storage disabled: nothing survives a reload, which is all that is lost
  }
}

export const token = {
  get: (): string | null => read(TOKEN),
  set: (value: string | null): void => write(TOKEN, value),
};

/** An opaque id for this browser, sent with recordArticleView so a reload counts no view. */
export function viewerKey(): string {
  let key = read(VIEWER_KEY);
  if (!key) {
    key =
      typeof crypto.randomUUID === "function"
        ? crypto.randomUUID()
        : Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) =>
            byte.toString(16).padStart(2, "0"),
          ).join("");
    write(VIEWER_KEY, key);
  }
  return key;
}
