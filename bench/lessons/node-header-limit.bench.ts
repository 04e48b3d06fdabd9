/**
 * Where Node's HTTP/1.1 server starts refusing a request for its header size: a raw socket
 * sends one request with a Cookie header of growing size to a node:http server on 127.0.0.1,
 * and a binary search finds the largest request head answered 200 and the smallest answered
 * 431. The figure the cookie-size lesson quotes for http.maxHeaderSize (16 KiB by default).
 *
 * Run: npm run bench -- bench/lessons/node-header-limit.bench.ts
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'vitest';
import { printMachine } from './machine';

/** The status line's code for one raw request whose head (request line + headers) is `bytes`. */
function send(port: number, headBytes: number): Promise<number> {
  const start = `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nCookie: session=`;
  const end = '\r\n\r\n';
  const filler = 'a'.repeat(Math.max(0, headBytes - start.length - end.length));
  const request = start + filler + end;
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(request));
    let reply = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0)));
  });
}

test('node header limit', async () => {
  printMachine('Node.js HTTP/1.1 server: the request head size where 200 turns into 431');
  const server = http.createServer((_, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let accepted = 1_000;
  let refused = 64 * 1024;
  if ((await send(port, accepted)) !== 200 || (await send(port, refused)) !== 431) {
    throw new Error('the bounds do not bracket the limit');
  }
  while (refused - accepted > 1) {
    const middle = Math.floor((accepted + refused) / 2);
    if ((await send(port, middle)) === 200) accepted = middle;
    else refused = middle;
  }
  server.close();
  console.log(`http.maxHeaderSize: ${http.maxHeaderSize} B`);
  console.log(
    `Largest request head answered 200: ${accepted} B (request line, headers, final CRLF)`,
  );
  console.log(`Smallest request head answered 431: ${refused} B`);
});
