import { loadConfigOrExit } from '@pixel-prompt/config';
import { loadModelRegistryOrExit } from '@pixel-prompt/models';
import { runService } from '@pixel-prompt/service';
import { apiPrefix } from './api-prefix';
import { AppModule } from './app.module';
import { configSchema } from './config';
import { serveOpenApi } from './openapi';

const config = loadConfigOrExit(configSchema, 'gateway');
const registry = loadModelRegistryOrExit(config.MODEL_REGISTRY_PATH, 'gateway');
void runService(AppModule.forRoot(config, registry), config, (app) => {
  app.use(apiPrefix);
  serveOpenApi(app);
});
