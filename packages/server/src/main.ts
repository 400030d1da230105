#!/usr/bin/env node
import { serveFromEnvironment } from "./app/serve.js";

await serveFromEnvironment(process.env);
