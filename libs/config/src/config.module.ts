import { Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AppConfig } from './app-config';
import { Clock } from './clock';
import { EnvironmentReader, loadConfigFromProcess } from './process-env';

const APP_CONFIG_KEY = 'app';

/**
 * Validates the environment (with `.env` merged underneath) once, and provides the typed
 * AppConfig to every module, plus the EnvironmentReader for values re-read at run time and the Clock.
 */
@Global()
@Module({
  imports: [
    ConfigModule.forRoot({
      cache: true,
      ignoreEnvFile: true,
      load: [() => ({ [APP_CONFIG_KEY]: loadConfigFromProcess() })],
    }),
  ],
  providers: [
    {
      provide: AppConfig,
      inject: [ConfigService],
      useFactory: (configService: ConfigService): AppConfig => configService.getOrThrow<AppConfig>(APP_CONFIG_KEY),
    },
    EnvironmentReader,
    Clock,
  ],
  exports: [AppConfig, EnvironmentReader, Clock],
})
export class AppConfigModule {}
