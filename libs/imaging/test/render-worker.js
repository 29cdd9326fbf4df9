// Render thread entry for the tests: worker threads cannot load TypeScript by themselves.
// Nx's inferred jest target exports TS_NODE_COMPILER_OPTIONS with moduleResolution "node10", which
// TypeScript 6 refuses; this thread compiles with its own options only.
delete process.env.TS_NODE_COMPILER_OPTIONS;
require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
require('../src/lib/pool').runRenderWorker();
