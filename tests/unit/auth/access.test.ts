import { describe, expect, it } from "vitest";
import { can, NAVIGATION, PERMISSIONS, ROLES } from "@/lib/auth/access";

describe("roles", () => {
  it.each([
    { role: "owner", allowed: ["view", "decideReviews", "manageKeys", "managePolicies", "manageSettings", "manageMembers"] },
    { role: "admin", allowed: ["view", "decideReviews", "manageKeys", "managePolicies", "manageSettings", "manageMembers"] },
    { role: "reviewer", allowed: ["view", "decideReviews"] },
    { role: "viewer", allowed: ["view"] },
  ] as const)("$role may do exactly $allowed", ({ role, allowed }) => {
    const granted = (Object.keys(PERMISSIONS) as (keyof typeof PERMISSIONS)[]).filter((p) => can(role, p));
    expect(granted).toEqual(allowed);
  });

  it("every menu item names a permission every role can be checked against", () => {
    for (const item of NAVIGATION) for (const role of ROLES) expect(typeof can(role, item.permission)).toBe("boolean");
    expect(NAVIGATION.map((i) => i.label)).toContain("Reviews");
  });
});
