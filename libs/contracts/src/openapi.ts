import { HTTP_COMPONENTS } from './http';
import { CONTRACT_DOCUMENT_VERSION, componentSchemas } from './messages';

type Component = keyof typeof HTTP_COMPONENTS;
const ref = (name: Component) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: Component | { anyOf: object[] }) => ({
  content: { 'application/json': { schema: typeof name === 'string' ? ref(name) : name } },
});
const error = (description: string) => ({ description, ...json('ErrorResponse') });

/** Fastify's own 400 (a body that is not JSON) has the generic error shape; a contract violation names the field. */
const badRequest = {
  description: 'A ride breaks the contract (the body names the field), or the body is not JSON',
  ...json({ anyOf: [ref('InvalidRideResponse'), ref('ErrorResponse')] }),
};

function document(o: { title: string; description: string; paths: object; security?: boolean }): object {
  return {
    openapi: '3.1.0',
    info: { title: o.title, version: CONTRACT_DOCUMENT_VERSION, description: o.description },
    paths: o.paths,
    components: {
      schemas: componentSchemas(HTTP_COMPONENTS, { prefix: '#/components/schemas/', target: 'draft-2020-12' }),
      ...(o.security && {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      }),
    },
  };
}

/**
 * The producer's OpenAPI 3.1 document (`GET /openapi.json`, docs/contracts/producer.openapi.json).
 *
 * @example
 * app.get('/openapi.json', async () => producerOpenApi());
 */
export function producerOpenApi(): object {
  return document({
    title: 'ridestream producer',
    description:
      'Publishes ride events to the `rides` topic (or Kinesis stream), keyed by ride id. 202 once the broker holds ' +
      'them; predictions arrive later on the prediction topics (see the AsyncAPI document).',
    security: true,
    paths: {
      '/rides': {
        post: {
          operationId: 'publishRides',
          summary: 'Publish one ride event or a batch',
          description:
            'All or nothing: when one ride is invalid, none of the request is published, so a client can fix and ' +
            'resend the whole request. An API key is required when the service has PRODUCER_API_KEYS set.',
          // `{}` first: the key is optional (only when the service is configured with keys).
          security: [{}, { apiKey: [] }, { bearer: [] }],
          requestBody: { required: true, ...json('RideBatchRequest') },
          responses: {
            '202': { description: 'Every ride is published', ...json('AcceptedResponse') },
            '400': badRequest,
            '401': error('Missing or invalid API key (only when the service has keys)'),
            '413': error('Body over BODY_LIMIT_BYTES'),
            '415': error('Content type is not application/json'),
            '429': error('Over RATE_LIMIT_PER_MINUTE for this client'),
            '503': error('The broker or stream did not take the rides; retry later (retry-after header)'),
          },
        },
      },
    },
  });
}

/** The prediction-api's OpenAPI 3.1 document (`GET /openapi.json`, docs/contracts/prediction-api.openapi.json). */
export function predictionApiOpenApi(): object {
  return document({
    title: 'ridestream prediction-api',
    description: 'Scores rides synchronously with the same contract, features and models as the streaming consumers.',
    paths: {
      '/predict': {
        post: {
          operationId: 'predict',
          summary: 'Predict duration and tip for one ride or a batch',
          description: 'A bad ride is a 400 naming the field, and nothing of the request is scored.',
          requestBody: { required: true, ...json('RideBatchRequest') },
          responses: {
            '200': { description: 'One entry per ride, in request order', ...json('PredictResponse') },
            '400': badRequest,
            '413': error('Body over BODY_LIMIT_BYTES'),
            '415': error('Content type is not application/json'),
          },
        },
      },
    },
  });
}
