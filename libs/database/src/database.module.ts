import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@app/config';
import { buildDataSourceOptions } from './database.options';
import { DatabaseHealth } from './database-health.service';
import { TransactionRunner } from './transaction-runner';

/** The application's one DataSource, built from AppConfig.database. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config.database),
        autoLoadEntities: true,
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: [DatabaseHealth, TransactionRunner],
  exports: [DatabaseHealth, TransactionRunner],
})
export class DatabaseModule {}
