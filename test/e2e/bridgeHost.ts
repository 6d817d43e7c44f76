/**
 * The test host of the browser tests: serves the built renderer over loopback HTTP and answers the IPC
 * contract at `POST /__vigil/<method>` with the desktop app's own request validation (parseIpcRequest) and
 * handlers (createEngineHandlers) over the real engine. Desk events are pushed as server-sent events on
 * `GET /__vigil/events`. Only Electron's transport is replaced: in the page, `window.vigil` is a shim with the
 * preload's method names that posts to this host instead of calling `ipcRenderer.invoke`, and listens with
 * an EventSource instead of `ipcRenderer.on`. Chromium runs the real, built renderer against it.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import { errorMessage } from '../../core/formats/errorMessage';
import type { DeskEvent } from '../../core/app/deskTypes';
import { IPC_METHODS, type IpcMethod } from '../../electron/ipc/contract';
import { parseIpcRequest } from '../../electron/ipc/parseRequest';
import type { IpcHandlers } from '../../electron/main/ipcRouter';
import type { ConnectorMethod } from '../../electron/main/connectorHandlers';
import type { PrivacyMethod } from '../../electron/main/privacyHandlers';

/** The handlers a test serves: the connector and reply-box ones only when the test uses them. */
export type BridgeHandlers = Omit<IpcHandlers, ConnectorMethod | PrivacyMethod> & Partial<Pick<IpcHandlers, ConnectorMethod | PrivacyMethod>>;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

export interface BridgeHost {
  url: string;
  /** Every call the page made, in order, for assertions. */
  calls: Array<{ method: IpcMethod; ok: boolean }>;
  close(): Promise<void>;
}

/** The script run in the page before the renderer: `window.vigil` with one method per contract method. */
export function bridgeShimScript(): string {
  const methods = IPC_METHODS.map((m) => `${JSON.stringify(m)}: (request) => call(${JSON.stringify(m)}, request)`);
  return `(() => {
    const call = async (method, request) => {
      const response = await fetch('/__vigil/' + method, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ args: request === undefined ? [] : [request] }),
      });
      const body = await response.json();
      if (!body.ok) throw new Error(body.error);
      return body.value;
    };
    const onDeskEvent = (listener) => {
      const source = new EventSource('/__vigil/events');
      source.onmessage = (message) => listener(JSON.parse(message.data));
      return () => source.close();
    };
    Object.defineProperty(window, 'vigil', { value: Object.freeze({ ${methods.join(', ')}, onDeskEvent }) });
  })();`;
}

function isMethod(name: string): name is IpcMethod {
  return (IPC_METHODS as readonly string[]).includes(name);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/** Where the host hears desk events from (the workspace's `onDeskEvent`). */
export type DeskEventSource = (listener: (event: DeskEvent) => void) => () => void;

export async function startBridgeHost(rendererDir: string, handlers: BridgeHandlers, events?: DeskEventSource): Promise<BridgeHost> {
  const calls: BridgeHost['calls'] = [];
  const streams = new Set<ServerResponse>();
  const unsubscribe = events?.((event) => {
    for (const stream of streams) stream.write(`data: ${JSON.stringify(event)}\n\n`);
  });
  const event = { sender: {}, senderFrame: null } as unknown as IpcMainInvokeEvent;

  async function invoke(method: IpcMethod, args: unknown[]): Promise<unknown> {
    const request = parseIpcRequest(method, args);
    const handler = handlers[method] as ((request: unknown, event: IpcMainInvokeEvent) => Promise<unknown>) | undefined;
    if (!handler) throw new Error(`${method} is not served by this test host.`);
    return handler(request, event);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://bridge').pathname);
    if (req.method === 'POST' && path.startsWith('/__vigil/')) {
      const method = path.slice('/__vigil/'.length);
      if (!isMethod(method)) return send(res, 404, 'application/json', JSON.stringify({ ok: false, error: `No method ${method}` }));
      const body = (await readJson(req)) as { args?: unknown };
      const args = Array.isArray(body.args) ? body.args : [];
      try {
        const value = await invoke(method, args);
        calls.push({ method, ok: true });
        return send(res, 200, 'application/json', JSON.stringify({ ok: true, value: value ?? null }));
      } catch (error) {
        calls.push({ method, ok: false });
        const message = errorMessage(error);
        return send(res, 200, 'application/json', JSON.stringify({ ok: false, error: message }));
      }
    }
    if (req.method === 'GET' && path === '/__vigil/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': connected\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed');
    const relative = normalize(path === '/' ? 'index.html' : path.slice(1));
    const file = join(rendererDir, relative);
    if (relative.startsWith('..') || !file.startsWith(rendererDir + sep)) return send(res, 403, 'text/plain', 'forbidden');
    try {
      return send(res, 200, CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', await readFile(file));
    } catch {
      return send(res, 404, 'text/plain', 'not found');
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, 'text/plain', String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe?.();
        for (const stream of streams) stream.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
