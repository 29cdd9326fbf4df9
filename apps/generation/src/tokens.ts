/** The worker's validated configuration. */
export const GENERATION_CONFIG = Symbol('GENERATION_CONFIG');
