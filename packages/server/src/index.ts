export { serveFromEnvironment } from "./app/serve.js";
export { rotateMasterKey } from "./app/rotate-master-key.js";
export { startServer, type RunningServer } from "./app/start-server.js";
export { loadConfig, type CofferConfig, ConfigError, defaultPort } from "./config/config.js";
export { createLogger, type Logger } from "./app/logger.js";
