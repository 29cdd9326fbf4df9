// Render thread entry for the tests: worker threads cannot load TypeScript by themselves.
require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
require('../src/lib/pool').runRenderWorker();
