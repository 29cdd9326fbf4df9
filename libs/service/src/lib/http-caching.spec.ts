import { etagOf, ifNoneMatchHits } from './http-caching';

describe('ifNoneMatchHits', () => {
  const etag = etagOf('{"a":1}');

  it('matches the ETag weakly, in a list, or any with *', () => {
    expect(ifNoneMatchHits(etag, etag)).toBe(true);
    expect(ifNoneMatchHits(`W/${etag}`, etag)).toBe(true);
    expect(ifNoneMatchHits(`"x", ${etag}`, etag)).toBe(true);
    expect(ifNoneMatchHits(' * ', etag)).toBe(true);
  });

  it('does not match other or missing tags', () => {
    expect(ifNoneMatchHits(undefined, etag)).toBe(false);
    expect(ifNoneMatchHits(etagOf('{"a":2}'), etag)).toBe(false);
    expect(ifNoneMatchHits(etag.slice(1, -1), etag)).toBe(false);
  });
});
