// POST /api/policies/judge — the tenant's judge settings
export { postJudgeSettings as POST } from "@/lib/policy/routes";
