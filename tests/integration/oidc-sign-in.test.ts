// Sign-in through a generic OpenID Connect provider (issue 11), enabled by environment
// variables alone, against a local IdP: NextAuth's real OAuth client does discovery,
// PKCE, the code exchange and the ID token's signature check.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliOk } from "../fixtures/cli";
import { fakeOidc, type FakeOidc } from "../fixtures/fake-oidc";
import { startServer, type RunningServer } from "../fixtures/server";
import { createTenant } from "../fixtures/tenant";

let idp: FakeOidc;
let server: RunningServer;

beforeAll(async () => {
  idp = await fakeOidc();
  server = await startServer(undefined, { OIDC_ISSUER: idp.url, OIDC_CLIENT_ID: idp.clientId, OIDC_CLIENT_SECRET: idp.clientSecret, OIDC_NAME: "Acme SSO" });
});

afterAll(async () => {
  await server?.stop();
  await idp?.close();
});

/** A browser's cookie jar, enough for one origin. */
class Jar {
  private cookies = new Map<string, string>();
  keep(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    return res;
  }
  header = () => [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
}

/** Clicks "Sign in with Acme SSO" and follows every redirect by hand, as a browser would; returns the session. */
async function signInWithOidc() {
  const jar = new Jar();
  const local = (path: string, init: RequestInit = {}) =>
    fetch(new URL(path, server.url), { ...init, redirect: "manual", headers: { cookie: jar.header(), ...init.headers } }).then((res) => jar.keep(res));
  const { csrfToken } = await (await local("/api/auth/csrf")).json();
  const started = await local("/api/auth/signin/oidc", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, callbackUrl: "/overview" }),
  });
  const authorize = new URL(started.headers.get("location") ?? "");
  expect(authorize.origin).toBe(idp.url);
  const consented = await fetch(authorize, { redirect: "manual" });
  const callback = new URL(consented.headers.get("location") ?? "");
  const finished = await local(callback.pathname + callback.search);
  const session = await (await local("/api/auth/session")).json();
  return { landing: finished.headers.get("location") ?? "", session: session as { user?: { email: string } } };
}

describe("signing in with an OpenID Connect provider", () => {
  it("offers the provider by its name on the sign-in page", async () => {
    const page = await (await fetch(`${server.url}/sign-in`)).text();
    expect(page).toContain("Acme SSO");
  });

  it("signs a member in: discovery, PKCE and the client secret reach the IdP, the ID token's signature is checked", async () => {
    const tenant = await createTenant(server, null);
    await cliOk(["member", "add", "--tenant", tenant.name, "--email", "sso-member@example.com", "--role", "admin"], server.env);
    await idp.signInAs({ sub: "idp-user-1", email: "sso-member@example.com", email_verified: true, name: "Sso Member" });
    const { landing, session } = await signInWithOidc();
    expect(session.user?.email).toBe("sso-member@example.com");
    expect(new URL(landing, server.url).pathname).toBe("/overview");
    const [exchange] = await idp.waitFor((r) => r.path === "/token");
    const form = new URLSearchParams(exchange!.body);
    expect(form.get("grant_type")).toBe("authorization_code");
    expect(form.get("code_verifier")).toMatch(/^[\w-]{43,128}$/);
    // The second time, the account is already linked.
    expect((await signInWithOidc()).session.user?.email).toBe("sso-member@example.com");
  });

  it("refuses a person who is no tenant's member, an unverified email, and an ID token the IdP did not sign", async () => {
    const tenant = await createTenant(server, null);
    await cliOk(["member", "add", "--tenant", tenant.name, "--email", "careful@example.com", "--role", "viewer"], server.env);
    const refusals = [
      { user: { sub: "stranger", email: "stranger@example.com", email_verified: true }, error: "AccessDenied" },
      { user: { sub: "unverified", email: "careful@example.com", email_verified: false }, error: "AccessDenied" },
      { user: { sub: "forged", email: "careful@example.com", email_verified: true }, forged: true, error: "OAuthCallback" },
    ];
    for (const { user, forged, error } of refusals) {
      await idp.signInAs(user, { forged });
      const { landing, session } = await signInWithOidc();
      expect(session.user, user.sub).toBeUndefined();
      expect(new URL(landing, server.url).searchParams.get("error"), user.sub).toBe(error);
    }
  });
});
