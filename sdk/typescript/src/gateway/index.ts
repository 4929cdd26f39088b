export { startHttpGateway, type GatewayTiming, type HttpGatewayOptions, type RunningHttpGateway } from "./http-gateway.js";
export { startMcpGateway, type RunningMcpGateway } from "./mcp-gateway.js";
export { loadGatewayConfig, parseGatewayConfig, type GatewayConfig, type GatewayConfigInput, type HttpRoute } from "./config.js";
