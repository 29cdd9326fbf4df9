export * from './lib/content-filter/content-filter';
export * from './lib/content-filter/policy';
export * from './lib/enhancers/enhancer-factory';
export * from './lib/enhancers/llm-enhancers';
export * from './lib/enhancers/local-enhancer';
export * from './lib/enhancers/prompt-enhancer';
