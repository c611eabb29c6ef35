import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument, OPENAPI_PATH, renderOpenApi } from '../../../../scripts/write-openapi';

describe('docs/openapi.json', () => {
  it('is the document the API serves, as npm run openapi:write writes it (run it after changing a route)', async () => {
    const written = renderOpenApi(await buildOpenApiDocument());
    const committed = readFileSync(join(__dirname, '..', '..', '..', '..', OPENAPI_PATH), 'utf8');
    // Member by member first, for a readable difference; then the text (key order, layout).
    expect(JSON.parse(committed)).toEqual(JSON.parse(written));
    expect(committed).toBe(written);
  }, 60_000);
});
