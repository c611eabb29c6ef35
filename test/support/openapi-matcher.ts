import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * Every response an e2e suite gets from the app (TestApp.http()) is checked against the API's
 * OpenAPI document, docs/openapi.json (the unit spec of scripts/write-openapi.ts keeps that file
 * equal to what the app serves at /docs-json, and test/swagger.e2e-spec.ts checks the served one):
 *
 *  - the route (method and path template) is in the document; a request no documented route
 *    serves must be answered with an error in the envelope (404 ROUTE_NOT_FOUND, 405, …);
 *  - the status is one the operation declares;
 *  - a JSON body matches the schema declared for that status (for 4xx and 5xx, the
 *    ErrorEnvelope, whose statusCode must also be the response's); a status declared without
 *    a body must come without one.
 *
 * Objects in the document list their properties without closing them (clients must tolerate
 * new fields); here every object schema with properties is closed, so a field the API returns
 * and the document does not describe is reported as drift.
 */

export const OPENAPI_DOCUMENT_PATH = join(__dirname, '..', '..', 'docs', 'openapi.json');

/**
 * Paths the document leaves out on purpose (their controllers are @ApiExcludeController). Their
 * errors must still be in the envelope; their other responses are not checked.
 */
const UNDOCUMENTED_PATHS: RegExp[] = [
  // Not JSON: the Prometheus text format.
  /^\/metrics$/,
  // Not JSON: the Swagger UI page and its assets.
  /^\/docs(\/[^/]*)?$/,
  // The document itself: it does not describe itself.
  /^\/docs-json$/,
  // Routes of test/support/fixtures.controller.ts, mounted only by the suites to drive the
  // shared pipeline: they are not part of the API, so not in its document.
  /^(\/v1)?\/__fixtures(\/|$)/,
];

/**
 * Error statuses whose body is not the envelope, by design. The readiness probe answers 503
 * with the same body as its 200 (status and checks), for load balancers and operators.
 */
const NON_ENVELOPE_ERRORS = ['get /readyz 503'];

type Schema = Record<string, unknown>;

interface ResponseObject {
  description?: string;
  content?: Record<string, { schema?: Schema }>;
  $ref?: string;
}

interface OperationObject {
  responses: Record<string, ResponseObject>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, Schema>; responses?: Record<string, ResponseObject> };
}

/** What the matcher needs of a response (supertest's Response has all of it). */
export interface ObservedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed body of a JSON response. */
  body?: unknown;
  /** The raw body, when supertest buffered it as text. */
  text?: string;
}

const SCHEMAS_ID = 'openapi-components';
const ENVELOPE_REF = '#/components/schemas/ErrorEnvelope';

/** A schema with its component references pointing into the registered components, and objects closed. */
function prepare(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(prepare);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
      out.$ref = `${SCHEMAS_ID}#/$defs/${value.slice('#/components/schemas/'.length)}`;
    } else if (key === 'properties' || key === '$defs') {
      // Maps of names to schemas: the names are not keywords.
      out[key] = Object.fromEntries(Object.entries(value as Schema).map(([name, sub]) => [name, prepare(sub)]));
    } else if (key === 'example' || key === 'default' || key === 'enum') {
      out[key] = value;
    } else {
      out[key] = prepare(value);
    }
  }
  if (out.properties !== undefined && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function isJson(contentType: string | undefined): boolean {
  return /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType ?? '');
}

function headerValue(headers: ObservedResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

interface RouteTemplate {
  template: string;
  regex: RegExp;
  params: number;
}

/** Checks responses against one OpenAPI document. */
export class OpenApiMatcher {
  private readonly ajv: Ajv;
  private readonly templates: RouteTemplate[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    this.ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(this.ajv);
    // An OpenAPI annotation that JSON Schema does not know.
    this.ajv.addKeyword('example');
    this.ajv.addSchema({ $id: SCHEMAS_ID, $defs: prepare(document.components?.schemas ?? {}) as Schema });
    this.templates = Object.keys(document.paths)
      .map((template) => ({
        template,
        regex: new RegExp(
          `^${template
            .split('/')
            .map((segment) => (/^\{[^}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
            .join('/')}$`,
        ),
        params: (template.match(/\{/g) ?? []).length,
      }))
      // A literal segment wins over a parameter (/v1/leads/search before /v1/leads/{id}).
      .sort((a, b) => a.params - b.params);
  }

  static fromFile(path = OPENAPI_DOCUMENT_PATH): OpenApiMatcher {
    return new OpenApiMatcher(JSON.parse(readFileSync(path, 'utf8')) as OpenApiDocument);
  }

  /** The problems of one response to `method url` (an empty list when it matches the document). */
  problems(method: string, url: string, res: ObservedResponse): string[] {
    const verb = method.toLowerCase();
    const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/[?#].*$/, '') || '/';
    // A CORS preflight is answered by the CORS step before routing, on any path.
    if (verb === 'options' && res.status < 400) return [];
    const template = this.templates.find(({ regex }) => regex.test(path))?.template;
    const exempt = !template && UNDOCUMENTED_PATHS.some((pattern) => pattern.test(path));
    // HEAD is served by the GET route, without a body.
    const operation = template ? this.document.paths[template][verb === 'head' ? 'get' : verb] : undefined;
    const label = `${method.toUpperCase()} ${template ?? path} → ${res.status}`;

    if (!operation) {
      if (exempt && res.status < 400) return [];
      if (res.status < 400) {
        return [`${label}: no such operation in the document, yet answered ${res.status} (only errors may be)`];
      }
      return this.envelopeProblems(label, res);
    }

    const declared = this.resolve(operation.responses[String(res.status)] ?? operation.responses.default);
    if (!declared) {
      return [
        `${label}: status not declared for the operation (declared: ${Object.keys(operation.responses).join(', ')})`,
      ];
    }
    if (verb === 'head') return [];
    const schema = declared.content?.['application/json']?.schema;
    if (!schema) {
      const text = res.text ?? '';
      return text.length > 0 ? [`${label}: declared without a body, got ${JSON.stringify(text.slice(0, 200))}`] : [];
    }
    if (res.status >= 400 && !NON_ENVELOPE_ERRORS.includes(`${verb} ${template} ${res.status}`)) {
      if (schema.$ref !== ENVELOPE_REF)
        return [`${label}: an error response declared with another schema than ErrorEnvelope`];
      return this.envelopeProblems(label, res);
    }
    return this.bodyProblems(label, schema, res);
  }

  /** Throws with every problem of the response, if it has any. */
  assertMatches(method: string, url: string, res: ObservedResponse): void {
    const problems = this.problems(method, url, res);
    if (problems.length > 0) throw new Error(`Response does not match docs/openapi.json:\n  ${problems.join('\n  ')}`);
  }

  private resolve(response: ResponseObject | undefined): ResponseObject | undefined {
    const ref = response?.$ref;
    if (!ref) return response;
    const name = ref.replace('#/components/responses/', '');
    return this.document.components?.responses?.[name];
  }

  private envelopeProblems(label: string, res: ObservedResponse): string[] {
    const problems = this.bodyProblems(label, { $ref: ENVELOPE_REF }, res);
    const statusCode = (res.body as { statusCode?: unknown } | undefined)?.statusCode;
    if (problems.length === 0 && statusCode !== res.status) {
      problems.push(`${label}: envelope statusCode ${String(statusCode)} is not the response's status`);
    }
    return problems;
  }

  private bodyProblems(label: string, schema: Schema, res: ObservedResponse): string[] {
    const contentType = headerValue(res.headers, 'content-type');
    if (!isJson(contentType)) return [`${label}: expected a JSON body, got content-type ${String(contentType)}`];
    const validate = this.validator(schema);
    if (validate(res.body)) return [];
    return (validate.errors ?? []).map(
      (error) =>
        `${label}: body${error.instancePath || ''} ${error.message ?? 'is invalid'}` +
        (error.params && Object.keys(error.params).length > 0 ? ` ${JSON.stringify(error.params)}` : ''),
    );
  }

  private validator(schema: Schema): ValidateFunction {
    const key = JSON.stringify(schema);
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(prepare(schema) as Schema);
      this.validators.set(key, validate);
    }
    return validate;
  }
}

let shared: OpenApiMatcher | undefined;

/** The matcher over docs/openapi.json, loaded once per test file. */
export function openApiMatcher(): OpenApiMatcher {
  return (shared ??= OpenApiMatcher.fromFile());
}
