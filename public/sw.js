// Ledgix's service worker: it shows review notifications and opens their review page. It
// caches nothing and intercepts no request (the dashboard is always live data).

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

// A push carries { title, body, tool, args, deadline, url, tag } (lib/push/deliver-push.ts).
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || "Ledgix", {
      body: data.body || "A request waits for your review.",
      tag: data.tag,
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      timestamp: Date.now(),
      data: { url: data.url },
    }),
  );
});

// Tapping opens the review page on this origin, and only a review page: the decision is
// made there, by its own form, never here.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  let path = "/reviews";
  try {
    const url = new URL(event.notification.data && event.notification.data.url, self.location.origin);
    if (url.pathname.startsWith("/review/")) path = url.pathname;
  } catch {
    // no usable URL: the inbox
  }
  event.waitUntil(self.clients.openWindow(new URL(path, self.location.origin).href));
});
