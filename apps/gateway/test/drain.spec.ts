import { Agent, request } from 'node:http';
import { type RunningService, TestRedis, startService, stopAllProcesses, waitFor } from '@pixel-prompt/testing';

interface Answer {
  status: number;
  connection: string | undefined;
}

/** One GET on a kept-alive connection of `agent`; node:http honours `Connection: close` by not reusing it. */
function get(url: string, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/**
 * Two built gateways behind a stand-in for a load balancer: it routes round-robin to the instances
 * whose /health/ready answered 200 at its last check (every 100 ms), over kept-alive connections.
 * One instance gets SIGTERM in the middle of the load.
 */
describe('gateway drain under keep-alive load (built, as processes)', () => {
  let redis: TestRedis;
  let leaving: RunningService;
  let staying: RunningService;

  beforeAll(async () => {
    redis = await TestRedis.start();
    const env = { REDIS_URL: redis.url, LOG_LEVEL: 'info', SHUTDOWN_DRAIN_DELAY_MS: '2000' };
    [leaving, staying] = await Promise.all([startService('gateway', env), startService('gateway', env)]);
  });

  afterAll(async () => {
    await stopAllProcesses();
    await redis.dispose();
  });

  it('fails no request on SIGTERM: unready at once, answers with Connection: close during the delay, exits 0', async () => {
    const submitted = await fetch(`${staying.url}/generate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt: 'a lighthouse', models: ['ink'] }),
    });
    const { statusUrl } = (await submitted.json()) as { statusUrl: string };

    const instances = [leaving, staying].map((service) => ({ service, ready: true, failedProbes: 0, agent: new Agent({ keepAlive: true, maxSockets: 8 }) }));
    /** Answers of the leaving instance to requests sent once it had logged that it was shutting down. */
    const whileDraining: Answer[] = [];
    const probesWhileDraining: Answer[] = [];
    let draining = false;
    let running = true;
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const checkerAgent = new Agent({ keepAlive: true });
    // As a load balancer's health check: every 100 ms, out of rotation after two failed probes in a row.
    const checker = (async () => {
      while (running) {
        for (const instance of instances) {
          const sentWhileDraining = draining && instance.service === leaving;
          const answer = await get(`${instance.service.url}/health/ready`, checkerAgent).catch(() => undefined);
          instance.failedProbes = answer?.status === 200 ? 0 : instance.failedProbes + 1;
          instance.ready = instance.failedProbes < 2;
          if (sentWhileDraining && answer) probesWhileDraining.push(answer);
        }
        await pause(100);
      }
    })();

    const failures: string[] = [];
    let turn = 0;
    let served = 0;
    const client = async () => {
      while (running) {
        const inRotation = instances.filter((i) => i.ready);
        const target = inRotation[turn++ % Math.max(1, inRotation.length)];
        if (!target) {
          failures.push('no instance in rotation');
          await pause(10);
          continue;
        }
        const sentWhileDraining = draining && target.service === leaving;
        try {
          const answer = await get(`${target.service.url}${statusUrl}`, target.agent);
          if (answer.status === 200) served++;
          else failures.push(`status ${answer.status}`);
          if (sentWhileDraining) whileDraining.push(answer);
        } catch (error) {
          failures.push(String(error));
          // A refused connection fails at once: do not spin on it.
          await pause(10);
        }
      }
    };
    const clients = Array.from({ length: 8 }, client);
    try {
      await waitFor(() => served > 200, { what: 'the load to warm up' });
      leaving.process.child.kill('SIGTERM');
      await waitFor(() => leaving.process.lines.some((l) => l.includes('"msg":"shutting down"')), { what: 'the gateway to start draining' });
      draining = true;
      const exitCode = await leaving.process.waitForExit();
      const servedBefore = served;
      await waitFor(() => served > servedBefore + 200, { what: 'more load on the instance that stays' });
      running = false;
      await Promise.all([...clients, checker]);

      expect(failures).toEqual([]);
      expect(exitCode).toBe(0);
      // Through the 2 s delay it kept answering the balancer's probes: unready, closing each connection.
      expect(probesWhileDraining.length).toBeGreaterThanOrEqual(5);
      expect(probesWhileDraining.filter((a) => a.status !== 503 || a.connection !== 'close')).toEqual([]);
      expect(whileDraining.filter((a) => a.connection !== 'close')).toEqual([]);
      expect(leaving.logs().map((l) => l['msg'])).toEqual(expect.arrayContaining(['shutting down', 'shutdown complete']));
    } finally {
      running = false;
      checkerAgent.destroy();
      for (const instance of instances) instance.agent.destroy();
    }
  });
});
