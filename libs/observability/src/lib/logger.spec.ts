import { Writable } from 'node:stream';
import { correlationIdFrom, currentCorrelationId, runWithCorrelationId } from './correlation';
import { createLogger } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'unit', level: 'info', version: '1.2.3', destination }) };
}

describe('createLogger', () => {
  it('writes one JSON object per line with service, version, textual level and ISO time', () => {
    const { lines, logger } = capture();
    logger.info({ answer: 42 }, 'hello');
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', service: 'unit', version: '1.2.3', answer: 42, msg: 'hello' }),
    ]);
    expect(new Date(String(lines[0]?.['time'])).toISOString()).toBe(lines[0]?.['time']);
  });

  it('adds the correlation id of the surrounding request, across timers and promises', async () => {
    const { lines, logger } = capture();
    await runWithCorrelationId('corr-7', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      await Promise.resolve();
      logger.info('inside');
    });
    logger.info('outside');
    expect(lines.map((l) => [l['msg'], l['correlationId']])).toEqual([
      ['inside', 'corr-7'],
      ['outside', undefined],
    ]);
    expect(currentCorrelationId()).toBeUndefined();
  });

  it('redacts credentials wherever they appear in a logged object', () => {
    const { lines, logger } = capture();
    logger.info({ headers: { authorization: 'Bearer sk-live-123', cookie: 's=1' }, provider: { apiKey: 'sk-999' } }, 'call');
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/sk-live-123|sk-999|s=1/);
    expect(lines[0]).toMatchObject({ headers: { authorization: '[redacted]' }, provider: { apiKey: '[redacted]' } });
  });
});

describe('correlationIdFrom', () => {
  it('keeps a plain client id and replaces anything else', () => {
    expect(correlationIdFrom('client-1')).toBe('client-1');
    expect(correlationIdFrom('evil\n{"level":"fatal"}')).not.toContain('evil');
    expect(correlationIdFrom(undefined)).toMatch(/^[0-9a-f-]{36}$/);
    expect(correlationIdFrom(['a', 'b'])).toMatch(/^[0-9a-f-]{36}$/);
  });
});
