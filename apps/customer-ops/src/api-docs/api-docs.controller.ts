import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController, type OpenAPIObject } from '@nestjs/swagger';
import type { ReplyWriter } from '@app/http';
import { Public } from '@app/http';
import { ApiDocsService, DocsFile } from './api-docs.service';

interface FileReply extends ReplyWriter {
  send(body: string | Buffer): unknown;
}

/** GET /docs (Swagger UI), /docs/<file> (its assets) and /docs-json (the OpenAPI document). */
@ApiExcludeController()
@Controller()
@Public()
export class ApiDocsController {
  constructor(private readonly docs: ApiDocsService) {}

  @Get('docs-json')
  openApi(): OpenAPIObject {
    const document = this.docs.openApi();
    if (!document) throw new NotFoundException();
    return document;
  }

  @Get('docs')
  index(@Res() res: FileReply): void {
    this.send(res, this.docs.file('index'));
  }

  @Get('docs/:file')
  asset(@Param('file') file: string, @Res() res: FileReply): void {
    this.send(res, this.docs.file(file));
  }

  private send(res: FileReply, file: DocsFile | null): void {
    if (!file) throw new NotFoundException();
    res.header('Content-Type', file.contentType);
    res.header('Cache-Control', 'public, max-age=3600');
    res.status(200);
    res.send(file.body);
  }
}
