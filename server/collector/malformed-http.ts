/**
 * The answer to a request Node's HTTP parser refuses before any route sees it: one that did not
 * arrive in time, headers past Node's size, a Content-Length that is not a number or comes twice,
 * both Content-Length and chunked encoding, a chunk size past any body; and a URL whose path is not
 * valid percent-encoding, which the router refuses. Fastify answers those `{"message": "Client
 * Error"}` or in its own shape; these answers have the collector's (`error`, `message`) and say
 * what was wrong, as every other refusal does.
 */
import { STATUS_CODES, maxHeaderSize } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

interface ParserError extends Error {
  code?: string;
  reason?: string;
}

function answerTo(error: ParserError, requestSeconds: number): { status: number; reason: string; message: string } {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, reason: 'request_timeout', message: `the request did not arrive within ${requestSeconds} s (limits.requestSeconds)` };
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') return { status: 431, reason: 'headers_too_large', message: `the request headers exceed ${maxHeaderSize} bytes` };
  // llhttp's reason names the fault: "Content-Length can't be present with Transfer-Encoding", "Duplicate Content-Length"…
  const detail = typeof error.reason === 'string' && error.reason !== '' ? error.reason : (error.code ?? 'malformed request');
  return { status: 400, reason: 'invalid_http', message: `the request is not valid HTTP/1.1: ${detail}` };
}

/** Fastify's `clientErrorHandler`: writes the answer (when the socket still takes one) and closes the connection. */
export function malformedHttpHandler(requestSeconds: number): (error: ParserError, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const { status, reason, message } = answerTo(error, requestSeconds);
    const body = JSON.stringify({ error: reason, message });
    if (socket.writable) {
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`);
    }
    socket.destroy(error);
  };
}

/** Fastify's `frameworkErrors`: a path the router cannot decode (`/api/users/%E0%A4%A`). Only the path is named: a query may hold a key. */
export function badUrlHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split('?')[0];
  const message = error.code === 'FST_ERR_BAD_URL' ? `the path ${path} is not valid percent-encoded UTF-8` : error.message;
  void reply.code(400).send({ error: 'invalid_url', message });
}
