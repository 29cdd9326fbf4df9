import { loadConfigOrExit } from '@pixel-prompt/config';
import { runService } from '@pixel-prompt/service';
import { AppModule } from './app.module';
import { configSchema } from './config';

const config = loadConfigOrExit(configSchema, 'gateway');
void runService(AppModule.forRoot(config), config);
