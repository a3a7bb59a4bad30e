/**
 * The httpbin server in a child process, for tests that measure the client process alone
 * (RSS, open file descriptors, CPU) without the server's share.
 *
 *   const bin = await startHttpbinProcess();   // bin.url, bin.pid
 *   await bin.close();
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startHttpbin } from '../../core/httpbin/server.ts';

export interface HttpbinProcess {
  url: string;
  port: number;
  pid: number;
  close(): Promise<void>;
}

export async function startHttpbinProcess(): Promise<HttpbinProcess> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const { url, port } = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0] ?? '') as { url: string; port: number });
    });
    child.once('exit', (code) => reject(new Error(`httpbin process exited with ${code} before listening`)));
  });
  return {
    url,
    port,
    pid: child.pid ?? -1,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end(); // the child exits when its stdin closes (also if this process dies)
      }),
  };
}

if (import.meta.main) {
  const bin = await startHttpbin();
  process.stdout.write(`${JSON.stringify({ url: bin.url, port: bin.port })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void bin.close().then(() => process.exit(0));
  });
}
