// The gateway under measurement, in a process of its own as it is deployed, so the bench's
// client, the upstream and their garbage collection do not share its event loop. It takes its
// config as JSON in argv[2], sends its URL over IPC, then "settled" as each request is wholly
// done (its execution reported to the vault), and answers "timings" with what it measured since
// the last "reset".
import { parseGatewayConfig } from "../src/gateway/config";
import { startHttpGateway, type GatewayTiming } from "../src/gateway/http-gateway";

const timings: GatewayTiming[] = [];
const gateway = await startHttpGateway(parseGatewayConfig(JSON.parse(process.argv[2]!)), {
  onTiming: (t) => {
    timings.push(t);
    process.send!("settled");
  },
});
process.send!({ url: gateway.url });
process.on("message", (message) => {
  if (message === "reset") timings.length = 0;
  if (message === "timings") void gateway.close().then(() => process.send!({ timings }, () => process.exit(0)));
});
