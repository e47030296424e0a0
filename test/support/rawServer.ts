/** A bare HTTP server on loopback whose every answer a test chooses: for shapes no real server should send. */
import { createServer, IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RawServer {
  url: string;
  requests: { path: string; body: string; authorization?: string }[];
  close(): Promise<void>;
}

export async function startRawServer(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<RawServer> {
  const requests: RawServer["requests"] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      requests.push({ path: req.url ?? "", body, authorization: req.headers.authorization });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers `status` with a JSON or text body. */
export function reply(res: ServerResponse, status: number, body: unknown, contentType = "application/json"): void {
  res.writeHead(status, { "content-type": contentType });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}
