// The example service behind the HTTP gateway: POST /refunds "performs" a refund (prints it) and
// answers 201. It checks no token itself: the gateway verified and consumed it, and strips it
// before forwarding, so only the gateway may reach this service: it listens on loopback. Run
// beside `ledgix-gateway --config examples/gateway.yaml`. PORT picks the port (default 4000; 0:
// any free one).
import http from "node:http";

const server = http.createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/refunds") return void res.writeHead(404).end();
  let body = "";
  req.on("data", (chunk) => (body += chunk));
  req.on("end", () => {
    const { amount, currency } = JSON.parse(body);
    // The gateway names the Ledgix request that approved this call, for the service's own log.
    console.error(`refunded ${amount} ${currency} (Ledgix request ${req.headers["x-ledgix-request-id"]})`);
    res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ status: "refunded", amount, currency }));
  });
});
server.listen(Number(process.env.PORT ?? 4000), "127.0.0.1", () => console.error(`refund service on http://127.0.0.1:${server.address().port}`));
