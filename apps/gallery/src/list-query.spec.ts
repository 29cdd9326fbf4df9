import { ApiError } from '@pixel-prompt/service';
import { encodeCursor, parseListQuery } from './list-query';

const KEY = 'galleries/7999999999999-6f1c2a9e-5b1d-4c1e-9a57-0d8f1f2c3b4a.json';

describe('parseListQuery', () => {
  it('defaults to the first 24 galleries', () => {
    expect(parseListQuery({})).toEqual({ limit: 24, startAfter: undefined });
  });

  it('accepts limits from 1 to 100 and a cursor it issued', () => {
    expect(parseListQuery({ limit: '1', cursor: encodeCursor(KEY) })).toEqual({ limit: 1, startAfter: KEY });
    expect(parseListQuery({ limit: '100' }).limit).toBe(100);
  });

  it('refuses a cursor that is not the canonical encoding of a key under galleries/', () => {
    const padded = `${encodeCursor(KEY)}=`;
    for (const cursor of [padded, encodeCursor('galleries/'), encodeCursor('images/a.png'), 'a+b/c', ['x'], encodeCursor(`galleries/${'x'.repeat(1001)}`)]) {
      expect(() => parseListQuery({ cursor })).toThrow(ApiError);
    }
  });

  it('names every bad parameter in the error details', () => {
    try {
      parseListQuery({ limit: '0', cursor: '!' });
      throw new Error('expected a validation error');
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).getStatus()).toBe(400);
      expect((error as ApiError).code).toBe('VALIDATION_FAILED');
      expect((error as ApiError).details).toEqual([
        { field: 'limit', message: 'must be a whole number from 1 to 100' },
        { field: 'cursor', message: 'must be the nextCursor of a previous page' },
      ]);
    }
  });
});
