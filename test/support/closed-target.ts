import { createServer } from 'node:net';

/** A Live API base URL on loopback with nothing listening: a target that cannot be reached. */
export async function closedTarget(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/communication_manager/rest/live`;
}
