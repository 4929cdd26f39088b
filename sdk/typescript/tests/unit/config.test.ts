import { describe, expect, it } from "vitest";
import { DEFAULTS, resolveConfig } from "../../src/config";

describe("configuration", () => {
  it("uses the documented defaults (durations in milliseconds)", () => {
    expect(resolveConfig({}, {})).toEqual(DEFAULTS);
    expect(DEFAULTS).toMatchObject({ vaultUrl: "http://localhost:8000", vaultTimeout: 30_000, reviewPollInterval: 2_000, reviewTimeout: 900_000, retryBaseDelay: 500, maxRetries: 3, agentId: "default-agent", sessionId: "" });
  });

  it("reads every LEDGIX_* variable, and an argument wins over the environment", () => {
    const env = {
      LEDGIX_VAULT_URL: "http://vault:3000/api",
      LEDGIX_VAULT_API_KEY: "lgx_k",
      LEDGIX_VAULT_TIMEOUT: "1500",
      LEDGIX_AGENT_ID: "agent-a",
      LEDGIX_SESSION_ID: "s-1",
      LEDGIX_VERIFY_JWT: "no",
      LEDGIX_JWT_ISSUER: "iss-x",
      LEDGIX_JWT_AUDIENCE: "aud-x",
      LEDGIX_REVIEW_POLL_INTERVAL: "250",
      LEDGIX_REVIEW_TIMEOUT: "5000",
      LEDGIX_MAX_RETRIES: "7",
      LEDGIX_RETRY_BASE_DELAY: "20",
    };
    expect(resolveConfig({}, env)).toMatchObject({
      vaultUrl: "http://vault:3000/api",
      vaultApiKey: "lgx_k",
      vaultTimeout: 1500,
      agentId: "agent-a",
      sessionId: "s-1",
      verifyJwt: false,
      jwtIssuer: "iss-x",
      jwtAudience: "aud-x",
      reviewPollInterval: 250,
      reviewTimeout: 5000,
      maxRetries: 7,
      retryBaseDelay: 20,
    });
    expect(resolveConfig({ agentId: "from-arg", maxRetries: undefined }, env)).toMatchObject({ agentId: "from-arg", maxRetries: 7 });
  });

  it.each([
    { name: "LEDGIX_VAULT_TIMEOUT", value: "soon" },
    { name: "LEDGIX_VERIFY_JWT", value: "maybe" },
    { name: "LEDGIX_MAX_RETRIES", value: "-1" },
    { name: "LEDGIX_VAULT_URL", value: "not a url" },
  ])("stops at a malformed $name, naming it", ({ name, value }) => {
    expect(() => resolveConfig({}, { [name]: value })).toThrow(name);
  });
});
