// Baseline: the same /health JSON from bare node:http, the ceiling for the framework.
// Runs as its own process (like the API) so both compete with the load generator the same way.
import { createServer } from "node:http";

const port = Number(process.env.PORT);
const body = JSON.stringify({ status: "ok", version: process.env.APP_VERSION ?? "bench" });

createServer((req, res) => {
  if (req.url === "/health") {
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
    res.end(body);
  } else {
    res.writeHead(404).end();
  }
}).listen(port, "127.0.0.1", () => process.send?.("listening"));
