import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listening, startOnFreePort } from './ports';
import { type ManagedProcess, startProcess } from './processes';
import { waitFor } from './wait-for';
import { workspaceRoot } from './workspace';

/** s3rver's fixed development credentials: not secrets, the server accepts nothing else. */
export const S3RVER_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

function spawnS3rver(port: number, dir: string, bucket: string): Promise<ManagedProcess> {
  const bin = join(workspaceRoot(), 'node_modules/s3rver/bin/s3rver.js');
  // s3rver's request signing code needs OpenSSL's legacy provider on current Node releases.
  return startProcess(process.execPath, [
    '--openssl-legacy-provider', bin, '--directory', dir, '--address', '127.0.0.1',
    '--port', String(port), '--configure-bucket', bucket, '--silent',
  ]);
}

/**
 * A private S3-protocol server (s3rver) on a free loopback port (another one should the port be
 * taken before s3rver binds it), with one bucket created. `stop()` then `start()` keeps the port and
 * the stored objects.
 */
export class TestS3 {
  private constructor(
    readonly port: number,
    readonly bucket: string,
    private readonly dir: string,
    private server: ManagedProcess,
  ) {}

  /**
   * Also puts s3rver's credentials into this process's environment: S3 clients made in the test
   * process read them there, through the SDK's default provider chain, as the services do.
   */
  static async start(bucket = 'pixel-prompt-test'): Promise<TestS3> {
    Object.assign(process.env, S3RVER_CREDENTIALS);
    const dir = mkdtempSync(join(tmpdir(), 'pp-s3rver-'));
    const { port, server } = await startOnFreePort('s3rver', (port) => spawnS3rver(port, dir, bucket));
    const s3 = new TestS3(port, bucket, dir, server);
    await s3.answering();
    return s3;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts it again, on its port, after stop(). */
  async start(): Promise<void> {
    this.server = await spawnS3rver(this.port, this.dir, this.bucket);
    await listening(this.server, this.port, 's3rver');
    await this.answering();
  }

  private answering(): Promise<boolean> {
    return waitFor(() => fetch(`${this.endpoint}/${this.bucket}?list-type=2&max-keys=1`).then((r) => r.ok, () => false), {
      what: `s3rver on port ${this.port} to list its bucket`,
    });
  }

  async stop(): Promise<void> {
    await this.server.stop('SIGTERM');
  }

  /** Environment a service needs to use this server. */
  env(): Record<string, string> {
    return {
      S3_BUCKET: this.bucket,
      S3_ENDPOINT: this.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      S3_REGION: 'us-east-1',
      ...S3RVER_CREDENTIALS,
    };
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
