import { Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config';
import { Clock } from './clock';
import { EnvironmentReader, processConfig } from './process-env';

/**
 * Provides the typed AppConfig to every module (parsed from the process environment once, by
 * the same function the entry point uses), the EnvironmentReader for values re-read at run
 * time, and the Clock. Tests provide their own AppConfig, built from their own values only,
 * so nothing in a developer's shell or `.env` reaches them.
 */
@Global()
@Module({
  providers: [{ provide: AppConfig, useFactory: processConfig }, EnvironmentReader, Clock],
  exports: [AppConfig, EnvironmentReader, Clock],
})
export class AppConfigModule {}
