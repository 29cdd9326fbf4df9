/** The bucket layout alone (no S3 client): for code that only needs the key prefixes, such as the cloud infrastructure. */
export * from './lib/layout';
