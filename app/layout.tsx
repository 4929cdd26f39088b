import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = { title: { default: "Ledgix", template: "%s · Ledgix" }, description: "Clearance vault for AI agents" };

// Runs before paint so a dark-mode reader never sees a white flash.
const THEME_SCRIPT = `try{var t=localStorage.getItem("ledgix-theme");if(t==="dark"||(!t&&matchMedia("(prefers-color-scheme: dark)").matches))document.documentElement.classList.add("dark")}catch(e){}`;

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The page's CSP allows inline scripts only with this request's nonce (proxy.ts sets both).
  // Browsers hide a nonce from the DOM once read, hence no hydration check on it.
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        <script nonce={nonce} suppressHydrationWarning dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>{children}</body>
    </html>
  );
}
