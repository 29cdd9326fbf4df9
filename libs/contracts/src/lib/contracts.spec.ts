import { isErrorBody, isJobId, isValidCorrelationId, parseWebRuntimeConfig } from '../index';

describe('isValidCorrelationId', () => {
  it.each(['abc', 'req-1', '6f1c2a9e-5b1d-4c1e-9a57-0d8f1f2c3b4a', 'trace:span.1_x'])('accepts %s', (id) => {
    expect(isValidCorrelationId(id)).toBe(true);
  });

  it.each(['', ' ', '-leading-dash', 'has space', 'line\nbreak', 'a'.repeat(129), '<script>', 42, undefined])(
    'rejects %p',
    (id) => {
      expect(isValidCorrelationId(id)).toBe(false);
    },
  );
});

describe('isErrorBody', () => {
  it('recognises the error contract', () => {
    expect(isErrorBody({ error: 'NOT_FOUND', message: 'No such thing.', correlationId: 'c1' })).toBe(true);
  });

  it('rejects bodies missing a field', () => {
    expect(isErrorBody({ error: 'NOT_FOUND', message: 'No such thing.' })).toBe(false);
    expect(isErrorBody('NOT_FOUND')).toBe(false);
    expect(isErrorBody(null)).toBe(false);
  });
});

describe('parseWebRuntimeConfig', () => {
  it('strips trailing slashes from apiBaseUrl', () => {
    expect(parseWebRuntimeConfig({ apiBaseUrl: 'https://api.example.com//' })).toEqual({
      apiBaseUrl: 'https://api.example.com',
    });
  });

  it('rejects a missing apiBaseUrl', () => {
    expect(() => parseWebRuntimeConfig({})).toThrow('apiBaseUrl');
    expect(() => parseWebRuntimeConfig([])).toThrow('apiBaseUrl');
    expect(() => parseWebRuntimeConfig(null)).toThrow('JSON object');
  });

  it('accepts a CDN origin and rejects anything that is not an origin', () => {
    expect(parseWebRuntimeConfig({ apiBaseUrl: '/', cdnOrigin: 'https://cdn.example.com/' })).toEqual({
      apiBaseUrl: '',
      cdnOrigin: 'https://cdn.example.com',
    });
    expect(() => parseWebRuntimeConfig({ apiBaseUrl: '/', cdnOrigin: 'https://cdn.example.com/images' })).toThrow(
      'cdnOrigin',
    );
    expect(() => parseWebRuntimeConfig({ apiBaseUrl: '/', cdnOrigin: 42 })).toThrow('cdnOrigin');
  });
});

describe('isJobId', () => {
  const JOB = '6f1c2a9e-5b1d-4c1e-9a57-0d8f1f2c3b4a';

  it('recognises job ids as the job store creates them (UUID v4)', () => {
    expect(isJobId(JOB)).toBe(true);
    expect(isJobId(crypto.randomUUID())).toBe(true);
    expect(isJobId('6f1c2a9e-5b1d-1c1e-9a57-0d8f1f2c3b4a')).toBe(false);
    expect(isJobId('../../etc/passwd')).toBe(false);
    expect(isJobId(`${JOB}/..`)).toBe(false);
  });
});
