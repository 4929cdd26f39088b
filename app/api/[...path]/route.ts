// Any other path under /api: a JSON 404
export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE, notFound as OPTIONS } from "@/lib/api/fallbacks";
