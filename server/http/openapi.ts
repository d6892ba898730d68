import type { RestRoute, JsonSchema } from './rest-routes.ts';

/** The error body of every REST failure (API.md §16), with the HTTP status of §2. */
const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['code', 'reason', 'message'],
  properties: {
    code: { type: 'string', description: 'The tRPC error code, e.g. BAD_REQUEST, UNAUTHORIZED.' },
    reason: { type: 'string', description: 'The stable reason of API.md §2, e.g. INVALID_INPUT.' },
    message: { type: 'string', description: 'Human-readable; safe to show.' },
    fieldErrors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
    retryAfterSeconds: { type: 'integer', description: 'On TOO_MANY_REQUESTS; also the Retry-After header.' },
    connectionId: { type: 'string', description: 'On SSO_REQUIRED: the SSO connection to sign in through.' },
    requestId: { type: 'string', description: 'On INTERNAL_SERVER_ERROR: quote it when reporting the fault.' },
  },
};

function operation(route: RestRoute) {
  const input = route.input;
  const required = new Set(input?.required ?? []);
  return {
    operationId: route.path,
    tags: [route.path.split('.')[0]],
    summary: `${route.kind === 'query' ? 'Query' : 'Mutation'} ${route.path}`,
    ...(route.authed ? { security: [{ bearer: [] }] } : {}),
    ...(route.method === 'GET'
      ? {
          parameters: Object.entries(input?.properties ?? {}).map(([name, schema]) => ({
            name,
            in: 'query',
            required: required.has(name),
            schema,
          })),
        }
      : input
        ? { requestBody: { required: true, content: { 'application/json': { schema: input } } } }
        : {}),
    responses: {
      '200': {
        description: 'The procedure’s answer.',
        content: { 'application/json': { schema: route.output ?? {} } },
      },
      default: {
        description: 'An error (API.md §2): the HTTP status says which kind.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    },
  };
}

/** OpenAPI 3.1 of the REST form, generated from the routes, so it cannot drift from the procedures. */
export function openApiDocument(routes: RestRoute[], options: { publicUrl: string; prefix: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) paths[route.url] = { [route.method.toLowerCase()]: operation(route) };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Latchkey',
      version: options.version,
      description:
        'The REST form of the Latchkey procedures. Send the access token as `Authorization: Bearer`. ' +
        'auth.refresh and auth.logout with the refresh cookie need an `Origin` header of this server.',
    },
    servers: [{ url: `${options.publicUrl}${options.prefix}` }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: ERROR_SCHEMA },
    },
  };
}
