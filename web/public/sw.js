/* Confer's service worker: shows Web Push notifications and, on a click, focuses (or opens) the page they link to.
 * The push payload is Confer's PushMessage as JSON: {"title", "body", "data": {"link"?, "kind"?, ...}, "collapse_key"?}.
 * Nothing is cached here: the app is always loaded from the network. */

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function sameOriginPath(link) {
  try {
    const url = new URL(link, self.location.origin);
    // The server's public URL may differ from the address this browser uses: keep the path, stay on this origin.
    return new URL(url.pathname + url.search + url.hash, self.location.origin).href;
  } catch {
    return new URL("/", self.location.origin).href;
  }
}

self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { title: "Confer", body: event.data ? event.data.text() : "" };
  }
  const data = message.data || {};
  const url = sameOriginPath(data.link || "/");
  event.waitUntil(
    self.registration.showNotification(message.title || "Confer", {
      body: message.body || "",
      tag: message.collapse_key || undefined,
      data: { url },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || self.location.origin + "/";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(async (windows) => {
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (open) {
        const focused = await open.focus();
        if ("navigate" in focused) return focused.navigate(url);
        return focused;
      }
      return self.clients.openWindow(url);
    }),
  );
});
