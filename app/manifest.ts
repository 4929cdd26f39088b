import type { MetadataRoute } from "next";

// The dashboard as an installable app (issue 21): from a phone's home screen it opens on the
// review inbox; review notifications come through the service worker (public/sw.js).
export default function manifest(): MetadataRoute.Manifest {
  return {
    name: "Ledgix",
    short_name: "Ledgix",
    description: "Clearance vault for AI agents: review what your agents may do.",
    id: "/",
    start_url: "/reviews",
    scope: "/",
    display: "standalone",
    background_color: "#ffffff",
    theme_color: "#4f46e5",
    icons: [
      { src: "/icon.svg", sizes: "any", type: "image/svg+xml" },
      { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png" },
      { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png" },
    ],
  };
}
