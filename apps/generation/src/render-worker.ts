// Entry of the worker threads that render the built-in models' images (bundled as render-worker.js).
import { runRenderWorker } from '@pixel-prompt/imaging';

runRenderWorker();
