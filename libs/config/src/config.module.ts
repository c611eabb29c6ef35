import { Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AppConfig, loadConfig } from './app-config';

const APP_CONFIG_KEY = 'app';

/**
 * Loads `.env` (when present) through @nestjs/config, validates the environment once,
 * and provides the typed AppConfig to every module.
 */
@Global()
@Module({
  imports: [
    ConfigModule.forRoot({
      cache: true,
      ignoreEnvVars: false,
      load: [() => ({ [APP_CONFIG_KEY]: loadConfig(process.env) })],
    }),
  ],
  providers: [
    {
      provide: AppConfig,
      inject: [ConfigService],
      useFactory: (configService: ConfigService): AppConfig => configService.getOrThrow<AppConfig>(APP_CONFIG_KEY),
    },
  ],
  exports: [AppConfig],
})
export class AppConfigModule {}
