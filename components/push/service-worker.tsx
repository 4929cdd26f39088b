"use client";
import { useEffect } from "react";

/**
 * Registers the service worker (public/sw.js) on every dashboard page: it makes the dashboard
 * installable and shows review notifications. It caches nothing, so registering is harmless.
 */
export function ServiceWorkerRegistration() {
  useEffect(() => {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((error: unknown) => console.warn("Ledgix: the service worker did not register:", error));
  }, []);
  return null;
}
