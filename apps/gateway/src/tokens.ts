/** The gateway's validated configuration. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
/** ImageUrlFor: S3 key → URL clients load the image from. */
export const IMAGE_URL_FOR = Symbol('IMAGE_URL_FOR');
