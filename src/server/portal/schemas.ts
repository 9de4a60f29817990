/**
 * JSON schemas of the portal API's bodies and answers (docs/portal.md lists them by route): Fastify
 * validates requests against them, so bad input is refused before any handler runs.
 */
export const SCHEMAS = {
  me: {
    type: 'object', required: ['signedIn'], additionalProperties: false,
    properties: { signedIn: { type: 'boolean' }, name: { type: 'string' }, idNumber: { type: 'string', description: 'masked (mask.ts)' }, csrf: { type: 'string' }, idleSeconds: { type: 'integer' } },
  },
  copyBody: {
    type: 'object', required: ['purpose'], additionalProperties: false,
    properties: { purpose: { type: 'string', minLength: 1, maxLength: 100, description: 'what the copy is for; printed on it' } },
  },
  serviceCode: {
    type: 'object', required: ['qrcode', 'image', 'expiresAt', 'ttlSeconds'], additionalProperties: false,
    properties: { qrcode: { type: 'string', pattern: '^YRDSC1\\.' }, image: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' }, ttlSeconds: { type: 'integer' } },
  },
  usesQuery: {
    type: 'object', additionalProperties: false,
    properties: { limit: { type: 'string', pattern: '^([1-9][0-9]{0,2}|1000)$' } },
  },
} as const;
