import { Module } from '@nestjs/common';
import { ApiDocsController } from './api-docs.controller';
import { ApiDocsService } from './api-docs.service';

/** The OpenAPI document and Swagger UI (SWAGGER_ENABLED), through the same pipeline as every route. */
@Module({
  controllers: [ApiDocsController],
  providers: [ApiDocsService],
  exports: [ApiDocsService],
})
export class ApiDocsModule {}
