import { headers } from "next/headers";
import { CLIENT_ADDRESS_HEADER } from "@/lib/api/handler";

/**
 * The client's address as the server (lib/server/serve.ts) determined it (the socket's, or behind a proxy the
 * LEDGIX_CLIENT_ADDRESS_HEADER's), as the API's limits count it; a client-sent value is overwritten.
 */
export const clientIp = async () => (await headers()).get(CLIENT_ADDRESS_HEADER) ?? "unknown";
