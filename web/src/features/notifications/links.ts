/** A notification's link is absolute (the server's public URL, also used in mail); inside the app, its path is enough. */
export function appPath(link: string, origin = globalThis.location?.origin ?? "http://localhost"): string {
  try {
    const url = new URL(link, origin);
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return "/";
  }
}
