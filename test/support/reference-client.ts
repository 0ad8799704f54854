/** A tiny HTTP client for one reference server, for the reference server's own tests: paths are relative to its base URL. */
import { expect } from 'vitest';
import type { RunningReferenceServer } from '../reference-server/index.js';

export const AUTH = `Basic ${Buffer.from('manager:manag3rpa55word').toString('base64')}`;

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Answer {
  status: number;
  headers: Headers;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  body: Json;
  text: string;
}

export function client(server: RunningReferenceServer) {
  async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = { Authorization: AUTH }): Promise<Answer> {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    }
    const url = `${server.baseUrl}/${path}`;
    // After a restart, a pooled keep-alive socket may already be closed by the server: retry a GET once.
    const res = await fetch(url, init).catch((error) => (method === 'GET' ? fetch(url, init) : Promise.reject(error)));
    const text = await res.text();
    let parsed: Json;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }
  const get = (path: string) => request('GET', path);
  const post = (path: string, body?: unknown) => request('POST', path, body);
  /** GET that must answer 200, returning the body. */
  const read = async (path: string): Promise<Json> => {
    const answer = await get(path);
    expect(answer.status, `GET ${path}`).toBe(200);
    return answer.body;
  };
  return { request, get, post, read };
}

export type Client = ReturnType<typeof client>;
