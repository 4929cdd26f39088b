export { startHttpGateway, type GatewayTiming, type HttpGatewayOptions, type RunningHttpGateway } from "./http-gateway";
export { startMcpGateway, type RunningMcpGateway } from "./mcp-gateway";
export { loadGatewayConfig, parseGatewayConfig, type GatewayConfig, type GatewayConfigInput, type HttpRoute } from "./config";
