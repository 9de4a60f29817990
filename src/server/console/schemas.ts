/**
 * JSON schemas of the console API's requests (docs/console.md lists them with each route). Fastify
 * checks every body and query against them before a handler runs; what fails is answered 400 with
 * the schema's message, which the console shows beside the field.
 */
import { FIELD_ROLES } from '../../domain/model.js';

const text = (max = 256) => ({ type: 'string', minLength: 1, maxLength: max });
const creditCode = { type: 'string', pattern: '^[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}$' };

export const S = {
  signIn: {
    type: 'object', required: ['account', 'password'], additionalProperties: false,
    properties: { account: text(64), password: text(256) },
  },
  newOperator: {
    type: 'object', required: ['account', 'name', 'role', 'password'], additionalProperties: false,
    properties: {
      account: text(64), name: text(64), role: { enum: ['administrator', 'issuer', 'auditor'] }, orgCode: creditCode, orgName: text(128),
      password: { type: 'string', minLength: 8, maxLength: 256 },
    },
  },
  named: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: text(128) } },
  newAccount: {
    type: 'object', required: ['id', 'name'], additionalProperties: false,
    properties: {
      id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' }, name: text(128),
      scheme: { enum: ['hmac-sm3', 'appendix-c'] }, ips: { type: 'array', maxItems: 32, items: text(64) },
    },
  },
  newOAuthClient: {
    type: 'object', required: ['clientId', 'name'], additionalProperties: false,
    properties: { clientId: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' }, name: text(128), scopes: { type: 'array', maxItems: 8, items: text(32) } },
  },
  reason: { type: 'object', additionalProperties: false, properties: { reason: { type: 'string', maxLength: 500 } } },
  certificateQuery: {
    type: 'object', additionalProperties: false,
    properties: { holder: { type: 'string', minLength: 1, maxLength: 64 }, id: { type: 'string', minLength: 1, maxLength: 128 } },
  },
  newType: {
    type: 'object', required: ['code', 'name', 'fields'], additionalProperties: false,
    properties: {
      code: { type: 'string', pattern: '^[0-9A-Z]{18}\\d{3}$' }, name: text(256), defineAuthorityName: text(256), relatedItemName: text(256),
      holderCategory: text(32), validityRange: text(64), draft: { type: 'boolean' },
      fields: {
        type: 'array', maxItems: 64,
        items: {
          type: 'object', required: ['columnName', 'name'], additionalProperties: false,
          properties: {
            columnName: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' }, name: text(64),
            valueType: { enum: ['string', 'picture'] }, required: { type: 'boolean' }, sensitive: { type: 'boolean' },
            role: { enum: FIELD_ROLES },
          },
        },
      },
    },
  },
  typeStatus: { type: 'object', required: ['status'], additionalProperties: false, properties: { status: { enum: ['published', 'withdrawn'] } } },
  layout: { type: 'object', required: ['layout'], additionalProperties: false, properties: { layout: { type: ['object', 'null'] } } },
  usageQuery: {
    type: 'object', additionalProperties: false,
    properties: {
      holder: { type: 'string', maxLength: 64 }, dialect: { type: 'string', maxLength: 32 }, since: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
      limit: { type: 'integer', minimum: 1, maximum: 10000 },
    },
  },
  dashboardQuery: { type: 'object', additionalProperties: false, properties: { days: { type: 'integer', minimum: 1, maximum: 90 } } },
  newSeal: {
    type: 'object', required: ['orgCode', 'orgName'], additionalProperties: false,
    properties: { orgCode: creditCode, orgName: text(128), validYears: { type: 'integer', minimum: 1, maximum: 30 } },
  },
} as const;
