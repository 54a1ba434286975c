/**
 * A tiny static file server for the dashboard on localhost (node:http). Only GET/HEAD, only files under the
 * site folder (paths are decoded, normalized and checked to stay inside it; symlinks are resolved and checked too).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { HealthDataError } from '../errors';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/** A running dashboard server. */
export interface DashboardServer {
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string;
  /** The bound port (useful when 0 was asked for). */
  readonly port: number;
  /** Stops the server. */
  close(): Promise<void>;
}

/**
 * Resolves a request path to a file inside `root`, or undefined when it escapes or is malformed.
 *
 * @param root - the site folder (absolute, real path)
 * @param urlPath - the request path (may be percent-encoded)
 * @returns the absolute file path, or undefined
 */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]?.split('#')[0] ?? '/');
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) {
    return undefined;
  }
  const rel = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const file = path.resolve(root, `.${path.posix.normalize(`/${rel}`)}`);
  if (file !== root && !file.startsWith(`${root}${path.sep}`)) {
    return undefined;
  }
  return file;
}

/**
 * Serves a dashboard folder on 127.0.0.1.
 *
 * @param dir - the folder written by `writeDashboard`
 * @param port - port (0 picks a free one)
 * @returns the server handle
 * @throws {@link HealthDataError} (not-found) when the folder has no index.html
 */
export async function serveDashboard(dir: string, port = 8050): Promise<DashboardServer> {
  const root = fs.realpathSync(path.resolve(dir));
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    throw new HealthDataError('not-found', `serveDashboard: ${root} has no index.html; run "mmh dashboard" first`, { path: dir });
  }
  const server = http.createServer((req, res) => {
    const send = (status: number, text: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
      res.end(text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(405, 'method not allowed');
      return;
    }
    const file = resolveStaticPath(root, req.url ?? '/');
    if (file === undefined) {
      send(400, 'bad path');
      return;
    }
    fs.realpath(file, (err, real) => {
      if (err !== null || (real !== root && !real.startsWith(`${root}${path.sep}`))) {
        send(404, 'not found');
        return;
      }
      fs.stat(real, (err2, st) => {
        if (err2 !== null || !st.isFile()) {
          send(404, 'not found');
          return;
        }
        res.writeHead(200, {
          'content-type': TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream',
          'content-length': String(st.size),
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-cache',
        });
        if (req.method === 'HEAD') {
          res.end();
          return;
        }
        fs.createReadStream(real).pipe(res);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      resolve();
    });
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return {
    url: `http://127.0.0.1:${String(bound)}/`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
