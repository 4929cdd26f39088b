import { refund, type TestTenant } from "../tests/fixtures/tenant";

/** The benchmarks' request: an auto-approved refund, POST /api/clearance on `baseUrl` with the tenant's key. */
export const approvedClearance = (baseUrl: string, tenant: Pick<TestTenant, "key">) => ({
  url: `${baseUrl}/api/clearance`,
  method: "POST" as const,
  headers: { "content-type": "application/json", "x-vault-api-key": tenant.key },
  body: JSON.stringify(refund(45)),
});
