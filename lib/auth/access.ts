/**
 * Roles and what each may do: the one source for the sidebar and every server-side
 * check (pages, route handlers and server actions all call `requireMember(permission)`).
 */
export const ROLES = ["owner", "admin", "reviewer", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = {
  /** See every screen of the tenant. */
  view: ["owner", "admin", "reviewer", "viewer"],
  /** Approve or deny pending reviews. */
  decideReviews: ["owner", "admin", "reviewer"],
  /** Create, rotate and revoke API keys. */
  manageKeys: ["owner", "admin"],
  /** Upload and activate policies. */
  managePolicies: ["owner", "admin"],
  /** Change the tenant's settings and notifications. */
  manageSettings: ["owner", "admin"],
  /** Add and remove members. */
  manageMembers: ["owner", "admin"],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export const can = (role: Role, permission: Permission): boolean => (PERMISSIONS[permission] as readonly Role[]).includes(role);

export const isRole = (value: string): value is Role => (ROLES as readonly string[]).includes(value);

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: "Everything, including other owners",
  admin: "Everything, including members",
  reviewer: "Decides reviews; sees everything else",
  viewer: "Sees everything; changes nothing",
};

/** The sidebar, in the order of a working day; each item names the permission that shows it. */
export const NAVIGATION = [
  { href: "/overview", label: "Overview", icon: "LayoutDashboard", permission: "view" },
  { href: "/reviews", label: "Reviews", icon: "Inbox", permission: "view" },
  { href: "/grants", label: "Standing approvals", icon: "Stamp", permission: "view" },
  { href: "/requests", label: "Requests", icon: "ListTree", permission: "view" },
  { href: "/policies", label: "Policies", icon: "FileCode", permission: "view" },
  { href: "/keys", label: "API keys", icon: "KeyRound", permission: "view" },
  { href: "/ledger", label: "Ledger", icon: "ScrollText", permission: "view" },
  { href: "/notifications", label: "Notifications", icon: "Bell", permission: "view" },
  { href: "/settings", label: "Settings", icon: "Settings", permission: "view" },
  { href: "/members", label: "Members", icon: "Users", permission: "view" },
  { href: "/api-reference", label: "API reference", icon: "BookOpen", permission: "view" },
] as const satisfies readonly { href: string; label: string; icon: string; permission: Permission }[];
