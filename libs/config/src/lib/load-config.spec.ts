import { ConfigError, loadConfig } from './load-config';
import { portSchema, redisEnvSchema, s3EnvSchema, serviceEnvSchema } from './schemas';

const schema = serviceEnvSchema.extend({ PORT: portSchema }).extend(redisEnvSchema.shape).extend(s3EnvSchema.shape);

const valid = { PORT: '3000', REDIS_URL: 'redis://127.0.0.1:6379', S3_BUCKET: 'pixel-prompt' };

function problemsOf(env: NodeJS.ProcessEnv): Record<string, string> {
  try {
    loadConfig(schema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return Object.fromEntries((error as ConfigError).problems.map((p) => [p.variable, p.problem]));
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('applies defaults and coerces types', () => {
    const config = loadConfig(schema, valid);
    expect(config).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: 25_000,
      SHUTDOWN_DRAIN_DELAY_MS: 0,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 65_000,
      CORS_ORIGINS: [],
      S3_REGION: 'us-east-1',
      S3_FORCE_PATH_STYLE: false,
    });
  });

  it('names every bad or missing variable at once', () => {
    const problems = problemsOf({ PORT: 'abc', LOG_LEVEL: 'loud', S3_BUCKET: 'Not_A_Bucket' });
    expect(Object.keys(problems).sort()).toEqual(['LOG_LEVEL', 'PORT', 'REDIS_URL', 'S3_BUCKET']);
    expect(problems['REDIS_URL']).toBe('is required but not set');
    expect(problems['S3_BUCKET']).toBe('must be a valid S3 bucket name');
  });

  it('treats an empty variable as unset', () => {
    expect(problemsOf({ ...valid, REDIS_URL: '' })).toEqual({ REDIS_URL: 'is required but not set' });
    expect(loadConfig(schema, { ...valid, LOG_LEVEL: '' }).LOG_LEVEL).toBe('info');
  });

  it('never echoes a value, which may be a secret', () => {
    const secret = 'redis://:hunter2-secret@cache:6379/not-a-db';
    const env = { ...valid, REDIS_URL: secret.replace('redis', 'http'), PORT: '99999' };
    expect(() => loadConfig(schema, env)).toThrow(ConfigError);
    try {
      loadConfig(schema, env);
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
      expect((error as Error).message).toContain('REDIS_URL must be a redis:// or rediss:// URL');
      expect((error as Error).message).toContain('PORT must be between 1 and 65535');
    }
  });

  it('parses lists and booleans', () => {
    const config = loadConfig(schema, { ...valid, CORS_ORIGINS: 'https://a.example, ,https://b.example', S3_FORCE_PATH_STYLE: 'yes' });
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(config.S3_FORCE_PATH_STYLE).toBe(true);
    expect(problemsOf({ ...valid, S3_FORCE_PATH_STYLE: 'maybe' })).toEqual({ S3_FORCE_PATH_STYLE: 'must be true or false' });
  });
});
