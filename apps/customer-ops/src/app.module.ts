import { Module } from '@nestjs/common';
import { AppConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { HttpCommonModule } from '@app/http';
import { OpsModule } from './ops/ops.module';

@Module({
  imports: [AppConfigModule, HttpCommonModule, DatabaseModule, OpsModule],
})
export class AppModule {}
