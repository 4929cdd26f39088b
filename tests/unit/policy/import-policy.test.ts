// Policy import from a URL: operator allowlist, and refusal of private, loopback and
// link-local addresses, redirects included. A local HTTP server plays the policy host;
// since loopback is refused by design, the tests that reach it turn on the operator's
// LEDGIX_POLICY_IMPORT_ALLOW_LOOPBACK override, and one test checks the default refuses.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

const POLICY = "policy_id: imported\nrules:\n  - id: all\n    tool: '*'\n    effect: review\n";
let server: http.Server;
let base: string;
const hits: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? "");
    const redirect = (to: string) => res.writeHead(302, { location: to }).end();
    switch (req.url) {
      case "/policy.yaml": return void res.writeHead(200, { "content-type": "application/yaml" }).end(POLICY);
      case "/to-link-local": return redirect("http://169.254.169.254/latest/meta-data");
      case "/to-private": return redirect("http://10.0.0.1/policy.yaml");
      case "/to-other-host": return redirect("http://example.invalid/policy.yaml");
      case "/to-self": return redirect("/policy.yaml");
      default: return void res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The import function under a fresh environment (lib/env.ts caches the first one it reads). */
async function importer(env: Record<string, string>) {
  vi.resetModules();
  vi.unstubAllEnvs();
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  return (await import("@/lib/policy/import-policy"));
}

const HOSTS = "127.0.0.1,localhost,169.254.169.254,10.0.0.1";

describe("fetchPolicySource", () => {
  it("by default refuses a loopback address, before connecting", async () => {
    const { fetchPolicySource } = await importer({ LEDGIX_POLICY_IMPORT_HOSTS: HOSTS });
    const before = hits.length;
    await expect(fetchPolicySource(`${base}/policy.yaml`)).rejects.toMatchObject({ code: "import_refused", message: expect.stringMatching(/loopback/) });
    expect(hits.length).toBe(before);
  });

  it("by default refuses a host name that resolves to loopback, at connect time", async () => {
    const { fetchPolicySource } = await importer({ LEDGIX_POLICY_IMPORT_HOSTS: HOSTS });
    const port = new URL(base).port;
    await expect(fetchPolicySource(`http://localhost:${port}/policy.yaml`)).rejects.toMatchObject({ code: "import_refused", message: expect.stringMatching(/loopback/) });
  });

  it("is off without an allowlist", async () => {
    const { fetchPolicySource } = await importer({ LEDGIX_POLICY_IMPORT_ALLOW_LOOPBACK: "true" });
    await expect(fetchPolicySource(`${base}/policy.yaml`)).rejects.toMatchObject({ code: "import_refused", message: expect.stringMatching(/LEDGIX_POLICY_IMPORT_HOSTS/) });
  });

  it("refuses a host that is not allowlisted", async () => {
    const { fetchPolicySource } = await importer({ LEDGIX_POLICY_IMPORT_HOSTS: "policies.example.com", LEDGIX_POLICY_IMPORT_ALLOW_LOOPBACK: "true" });
    await expect(fetchPolicySource(`${base}/policy.yaml`)).rejects.toMatchObject({ code: "import_refused", message: expect.stringMatching(/not in LEDGIX_POLICY_IMPORT_HOSTS/) });
  });

  describe("with the operator's loopback override", () => {
    const env = { LEDGIX_POLICY_IMPORT_HOSTS: HOSTS, LEDGIX_POLICY_IMPORT_ALLOW_LOOPBACK: "true" };

    it("fetches an allowlisted policy, following a redirect on the same host", async () => {
      const { fetchPolicySource } = await importer(env);
      expect(await fetchPolicySource(`${base}/policy.yaml`)).toBe(POLICY);
      expect(await fetchPolicySource(`${base}/to-self`)).toBe(POLICY);
    });

    it.each([
      { path: "/to-link-local", message: /169\.254\.169\.254 is a linkLocal address/ },
      { path: "/to-private", message: /10\.0\.0\.1 is a private address/ },
      { path: "/to-other-host", message: /example\.invalid is not in LEDGIX_POLICY_IMPORT_HOSTS/ },
    ])("refuses a redirect $path", async ({ path, message }) => {
      const { fetchPolicySource } = await importer(env);
      await expect(fetchPolicySource(`${base}${path}`)).rejects.toMatchObject({ code: "import_refused", message: expect.stringMatching(message) });
    });

    it("still refuses private and link-local addresses given directly", async () => {
      const { fetchPolicySource } = await importer(env);
      await expect(fetchPolicySource("http://10.0.0.1/p.yaml")).rejects.toMatchObject({ code: "import_refused" });
      await expect(fetchPolicySource("http://169.254.169.254/p.yaml")).rejects.toMatchObject({ code: "import_refused" });
    });

    it("refuses other schemes", async () => {
      const { fetchPolicySource } = await importer(env);
      await expect(fetchPolicySource("file:///etc/passwd")).rejects.toMatchObject({ code: "import_refused" });
    });
  });
});

describe("refusedAddress", () => {
  it.each([
    { address: "8.8.8.8", refused: false },
    { address: "2606:4700:4700::1111", refused: false },
    { address: "127.0.0.1", refused: true },
    { address: "::1", refused: true },
    { address: "::ffff:127.0.0.1", refused: true },
    { address: "::ffff:10.1.2.3", refused: true },
    { address: "10.1.2.3", refused: true },
    { address: "172.16.0.1", refused: true },
    { address: "192.168.1.1", refused: true },
    { address: "169.254.169.254", refused: true },
    { address: "fe80::1", refused: true },
    { address: "fd00::1", refused: true },
    { address: "0.0.0.0", refused: true },
    { address: "100.64.0.1", refused: true },
  ])("$address refused: $refused", async ({ address, refused }) => {
    const { refusedAddress } = await import("@/lib/policy/import-policy");
    expect(refusedAddress(address, false) !== null).toBe(refused);
  });

  it("the loopback override admits loopback only", async () => {
    const { refusedAddress } = await import("@/lib/policy/import-policy");
    expect(refusedAddress("127.0.0.1", true)).toBeNull();
    expect(refusedAddress("::1", true)).toBeNull();
    expect(refusedAddress("10.0.0.1", true)).not.toBeNull();
    expect(refusedAddress("169.254.169.254", true)).not.toBeNull();
  });
});
